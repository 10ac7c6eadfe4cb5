import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../audit/index.js';
import { createFileTokenStore } from '../auth/store/file-token-store.js';
import { createMemoryRateLimitStore } from '../auth/store/memory-rate-limit-store.js';
import { loadConfig } from '../config/index.js';
import type { HttpEnv } from '../transport/http/index.js';
import { createDashboard } from './dashboard-app.js';
import { createLiveFeed } from './live-feed.js';
import { DASHBOARD_CSP } from './security-headers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// The dashboard app alone, mounted as the hub mounts it (the hub sets the client's address).
async function setUp(secureCookies: boolean) {
  const home = mkdtempSync(path.join(tmpdir(), 'bastion-dash-'));
  const root = path.join(home, 'root');
  mkdirSync(root);
  const config = loadConfig({ home, rootFlags: [root], env: {} });
  const tokens = createFileTokenStore({ file: path.join(home, 'tokens.json') });
  const limiter = createMemoryRateLimitStore();
  const audit = createAuditLog({ dir: config.audit.dir });
  const { secret } = await tokens.create('ops', { servers: ['dashboard'], readOnly: false });
  const dashboard = createDashboard({
    config,
    tokens,
    limiter,
    audit,
    feed: createLiveFeed(),
    servers: () => [],
    isAuditWritable: () => true,
    secureCookies,
  });
  const hub = new Hono<HttpEnv>();
  hub.use('*', async (c, next) => {
    c.set('address', '127.0.0.1');
    await next();
  });
  hub.route('/dashboard', dashboard.app);
  cleanups.push(async () => {
    dashboard.close();
    audit.close();
    await tokens.close();
    await limiter.close();
    rmSync(home, { recursive: true, force: true });
  });
  const login = () =>
    hub.request('/dashboard/login', {
      method: 'POST',
      headers: {
        origin: 'https://127.0.0.1:8765',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: secret }).toString(),
    });
  return { hub, login };
}

describe('dashboard app', () => {
  it('marks the session cookie Secure when the hub is reached over TLS', async () => {
    const { login } = await setUp(true);
    const res = await login();
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(
      /^bastion_dashboard=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/dashboard; HttpOnly; Secure; SameSite=Strict$/,
    );
  });

  it('puts the CSP and the other headers on pages, redirects, assets, refusals and misses', async () => {
    const { hub, login } = await setUp(false);
    const responses = [
      await hub.request('/dashboard'),
      await login(),
      await hub.request('/dashboard/assets/dashboard.js'),
      await hub.request('/dashboard/assets/nothing.js'),
      await hub.request('/dashboard/api/summary'),
      await hub.request('/dashboard/api/events'),
    ];
    for (const res of responses) {
      expect(res.headers.get('content-security-policy'), res.url).toBe(DASHBOARD_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect(responses.map((r) => r.status)).toEqual([200, 303, 200, 404, 401, 401]);
  });
});
