import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_ROUTES,
  csrfOf,
  dashboardRequest,
  postLogin,
  sessionCookieOf,
  signIn,
} from '../integration/dashboard-harness.js';
import {
  connectHubClient,
  createToken,
  makeHubDirs,
  removeHubDirs,
  runCli,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from '../integration/hub-harness.js';

// A string that is in the audit log (a file name written through the hub) and must never be in
// an answer to someone without a session.
const MARKER = `audit-marker-${randomBytes(6).toString('hex')}`;

const cookie = (session: string) => ({ cookie: `bastion_dashboard=${session}` });

// Bounded wait for a condition another process brings about (a revoke seen by the hub).
async function eventually(check: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

describe('dashboard access over real loopback HTTP', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let writer: string;
  let monitor: string;
  let watcher: string;
  let client: Client;

  // The id of the newest change whose paths include `file`, as the API lists it.
  async function changeOf(session: string, file: string): Promise<string> {
    const res = await dashboardRequest(hub.url, '/dashboard/api/changes', {
      headers: cookie(session),
    });
    const { changes } = JSON.parse(res.body) as {
      changes: { id: string; paths: { path: string }[] }[];
    };
    const found = changes.find((c) => c.paths.some((p) => p.path === file));
    if (!found) throw new Error(`no change of ${file}`);
    return found.id;
  }

  function undoRequest(id: string, headers: Record<string, string>) {
    return dashboardRequest(hub.url, `/dashboard/api/changes/${id}/undo`, {
      method: 'POST',
      headers,
    });
  }

  beforeAll(async () => {
    dirs = makeHubDirs({
      hub: {
        rateLimit: {
          requestsPerMinute: 100_000,
          maxConcurrent: 64,
          unauthenticatedPerMinute: 1000,
        },
      },
    });
    writer = createToken(dirs, 'writer', ['--servers', 'files']);
    monitor = createToken(dirs, 'monitor', ['--servers', 'dashboard']);
    watcher = createToken(dirs, 'watcher', ['--servers', 'dashboard', '--read-only']);
    hub = await startHub(dirs);
    client = await connectHubClient(hub.url, 'files', { era: 'legacy', token: writer });
    const wrote = await client.callTool({
      name: 'write_file',
      arguments: { path: path.join(dirs.root, `${MARKER}.txt`), content: 'marked' },
    });
    expect(wrote.isError).toBeFalsy();
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await hub?.stop();
    removeHubDirs(dirs);
  });

  it('[DASH-AUTH-01] without a cookie: the page is the sign-in form and every API route is 401 with no audit data', async () => {
    const page = await dashboardRequest(hub.url, '/dashboard');
    expect(page.status).toBe(200);
    expect(page.body).toContain('id="login-form"');
    expect(page.body).not.toContain(MARKER);
    expect(page.body).not.toContain('bastion-csrf');
    for (const route of API_ROUTES) {
      const res = await dashboardRequest(hub.url, `/dashboard/api/${route}`);
      expect(res.status, route).toBe(401);
      expect(res.body, route).not.toContain(MARKER);
      expect(res.body, route).not.toContain('write_file');
      expect(res.headers['content-type'], route).toMatch(/application\/json/);
    }
    // The audit data is there for a session: the refusals above are the session's absence.
    const session = await signIn(hub.url, monitor);
    const calls = await dashboardRequest(hub.url, '/dashboard/api/calls', {
      headers: cookie(session),
    });
    expect(calls.status).toBe(200);
    expect(calls.body).toContain(MARKER);
  });

  it('[DASH-AUTH-01] a forged or altered cookie, or a bearer token instead of a session, is refused', async () => {
    const real = await signIn(hub.url, monitor);
    const altered = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;
    const forged = randomBytes(32).toString('base64url');
    for (const value of [forged, altered, '', 'x'.repeat(4000), monitor]) {
      for (const route of ['summary', 'calls', 'events']) {
        const res = await dashboardRequest(hub.url, `/dashboard/api/${route}`, {
          headers: cookie(value),
        });
        expect(res.status, `${route} ${value.slice(0, 8)}`).toBe(401);
        expect(res.body).not.toContain(MARKER);
      }
    }
    const bearer = await dashboardRequest(hub.url, '/dashboard/api/calls', {
      headers: { authorization: `Bearer ${monitor}` },
    });
    expect(bearer.status).toBe(401);
    expect(bearer.body).not.toContain(MARKER);
    const page = await dashboardRequest(hub.url, '/dashboard', { headers: cookie(forged) });
    expect(page.body).toContain('id="login-form"');
    expect(page.body).not.toContain(MARKER);
  });

  it('[DASH-AUTH-01] a token without the dashboard scope, or a wrong one, opens no session', async () => {
    for (const token of [writer, `${monitor.slice(0, -2)}zz`, 'bst_nothing', '']) {
      const res = await postLogin(hub.url, token);
      expect(res.status, token.slice(0, 8)).toBe(401);
      expect(sessionCookieOf(res)).toBeUndefined();
      expect(res.body).toContain('id="login-form"');
      expect(res.body).not.toContain(MARKER);
    }
  });

  it('[DASH-AUTH-02] the token goes in the body only; the cookie is a random id, HttpOnly, SameSite=Strict, Path=/dashboard', async () => {
    // A token in the query string is not a sign-in, whatever the method.
    const viaQuery = await dashboardRequest(
      hub.url,
      `/dashboard/login?token=${encodeURIComponent(monitor)}`,
      {
        method: 'POST',
        headers: { origin: hub.url, 'content-type': 'application/x-www-form-urlencoded' },
      },
    );
    expect(viaQuery.status).toBe(401);
    expect(sessionCookieOf(viaQuery)).toBeUndefined();
    const getQuery = await dashboardRequest(
      hub.url,
      `/dashboard?token=${encodeURIComponent(monitor)}`,
    );
    expect(sessionCookieOf(getQuery)).toBeUndefined();
    expect(getQuery.body).toContain('id="login-form"');

    const res = await postLogin(hub.url, monitor);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dashboard');
    const set = sessionCookieOf(res)!;
    expect(set.line).toMatch(/; HttpOnly/);
    expect(set.line).toMatch(/; SameSite=Strict/);
    expect(set.line).toMatch(/; Path=\/dashboard(;|$)/);
    // Plain loopback HTTP: a Secure cookie would never come back.
    expect(set.line).not.toMatch(/; Secure/);
    expect(set.value).not.toContain(monitor);
    expect(set.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const page = await dashboardRequest(hub.url, '/dashboard', { headers: cookie(set.value) });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(monitor);
    expect(page.body).not.toContain(set.value);
    // Nothing the hub wrote keeps the token either (the audit log, its stderr).
    expect(readFileSync(path.join(dirs.home, 'logs', 'audit.jsonl'), 'utf8')).not.toContain(
      monitor,
    );
    expect(hub.stderr()).not.toContain(monitor);
  });

  it('[DASH-AUTH-04] sign-out, a revoke and a rotate each end the session', async () => {
    const session = await signIn(hub.url, monitor);
    const csrf = await csrfOf(hub.url, session);
    const logout = await dashboardRequest(hub.url, '/dashboard/logout', {
      method: 'POST',
      headers: {
        ...cookie(session),
        origin: hub.url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ csrf }).toString(),
    });
    expect(logout.status).toBe(303);
    const after = await dashboardRequest(hub.url, '/dashboard/api/calls', {
      headers: cookie(session),
    });
    expect(after.status).toBe(401);
    expect(after.body).not.toContain(MARKER);

    for (const action of ['revoke', 'rotate'] as const) {
      const name = `short-${action}`;
      const token = createToken(dirs, name, ['--servers', 'dashboard']);
      const s = await signIn(hub.url, token);
      const live = await dashboardRequest(hub.url, '/dashboard/api/summary', {
        headers: cookie(s),
      });
      expect(live.status).toBe(200);
      expect(runCli(['token', action, name, '--home', dirs.home]).status).toBe(0);
      const refused = await eventually(async () => {
        const res = await dashboardRequest(hub.url, '/dashboard/api/calls', { headers: cookie(s) });
        return res.status === 401 && !res.body.includes(MARKER);
      }, 6_000);
      expect(refused, action).toBe(true);
    }
  });

  it('[DASH-CSRF-01] sign-in from another origin, or with no Origin, opens no session', async () => {
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      {},
      { origin: 'null' },
      { origin: hub.url, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const res = await postLogin(hub.url, monitor, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(sessionCookieOf(res)).toBeUndefined();
    }
  });

  it('[DASH-CSRF-01] an undo without the page’s Origin and CSRF token changes nothing', async () => {
    const file = path.join(dirs.root, 'csrf-target.txt');
    await client.callTool({ name: 'write_file', arguments: { path: file, content: 'first' } });
    await client.callTool({ name: 'write_file', arguments: { path: file, content: 'second' } });
    const session = await signIn(hub.url, monitor);
    const csrf = await csrfOf(hub.url, session);
    const id = await changeOf(session, file);
    const attempts: Record<string, string>[] = [
      { ...cookie(session), origin: 'http://evil.example', 'x-bastion-csrf': csrf },
      { ...cookie(session), 'x-bastion-csrf': csrf },
      { ...cookie(session), origin: hub.url },
      { ...cookie(session), origin: hub.url, 'x-bastion-csrf': `${csrf.slice(0, -1)}x` },
      {
        ...cookie(session),
        origin: hub.url,
        'x-bastion-csrf': csrf,
        'sec-fetch-site': 'same-site',
      },
      { origin: hub.url, 'x-bastion-csrf': csrf },
    ];
    for (const headers of attempts) {
      const res = await undoRequest(id, headers);
      expect([401, 403], JSON.stringify(Object.keys(headers))).toContain(res.status);
      expect(readFileSync(file, 'utf8')).toBe('second');
    }
    // A sign-out without the token leaves the session as it was.
    const logout = await dashboardRequest(hub.url, '/dashboard/logout', {
      method: 'POST',
      headers: {
        ...cookie(session),
        origin: hub.url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '',
    });
    expect(logout.status).toBe(403);
    expect(
      (await dashboardRequest(hub.url, '/dashboard/api/summary', { headers: cookie(session) }))
        .status,
    ).toBe(200);
    // The same request with both: undone.
    const ok = await undoRequest(id, {
      ...cookie(session),
      origin: hub.url,
      'x-bastion-csrf': csrf,
    });
    expect(ok.status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe('first');
  });

  it('[DASH-UNDO-01] a change edited since, one already undone, and a read-only session are refused', async () => {
    const file = path.join(dirs.root, 'changed-since.txt');
    await client.callTool({ name: 'write_file', arguments: { path: file, content: 'v1' } });
    await client.callTool({ name: 'write_file', arguments: { path: file, content: 'v2' } });
    const session = await signIn(hub.url, monitor);
    const csrf = await csrfOf(hub.url, session);
    const headers = { ...cookie(session), origin: hub.url, 'x-bastion-csrf': csrf };
    const id = await changeOf(session, file);

    // Read-only: refused, the file as it was.
    const ro = await signIn(hub.url, watcher);
    const roCsrf = await csrfOf(hub.url, ro);
    const refusedRo = await undoRequest(id, {
      ...cookie(ro),
      origin: hub.url,
      'x-bastion-csrf': roCsrf,
    });
    expect(refusedRo.status).toBe(403);
    expect(readFileSync(file, 'utf8')).toBe('v2');

    // Edited outside Bastion after the change: listed as not undoable, and the POST is refused.
    writeFileSync(file, 'edited by hand');
    const listed = JSON.parse(
      (await dashboardRequest(hub.url, '/dashboard/api/changes', { headers: cookie(session) }))
        .body,
    ) as { changes: { id: string; undoable: boolean; reason?: string }[] };
    expect(listed.changes.find((c) => c.id === id)).toMatchObject({
      undoable: false,
      reason: 'changed since',
    });
    const refused = await undoRequest(id, headers);
    expect(refused.status).toBe(409);
    expect(readFileSync(file, 'utf8')).toBe('edited by hand');

    // Put back as the change left it: undoable once, then no more.
    writeFileSync(file, 'v2');
    expect((await undoRequest(id, headers)).status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe('v1');
    const again = await undoRequest(id, headers);
    expect(again.status).toBe(409);
    expect(readFileSync(file, 'utf8')).toBe('v1');

    // The undo is on the audit record like `bastion undo`'s, naming the dashboard's principal.
    const undo = hub
      .auditRecords()
      .filter((r) => r.server === 'history' && r.tool === 'undo' && r.phase === 'outcome');
    expect(undo.at(-1)).toMatchObject({ principal: 'monitor', decision: 'allow', outcome: 'ok' });
  });
});

describe('dashboard sign-in guessing over real loopback HTTP', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let monitor: string;

  beforeAll(async () => {
    dirs = makeHubDirs({ hub: { rateLimit: { unauthenticatedPerMinute: 3 } } });
    monitor = createToken(dirs, 'monitor', ['--servers', 'dashboard']);
    hub = await startHub(dirs);
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    removeHubDirs(dirs);
  });

  it('[DASH-AUTH-03] past the per-address budget even the right token opens no session', async () => {
    const forged = randomBytes(32).toString('base64url');
    // Two wrong tokens and a forged cookie spend the budget of 3.
    expect((await postLogin(hub.url, 'bst_guess_1')).status).toBe(401);
    expect((await postLogin(hub.url, 'bst_guess_2')).status).toBe(401);
    expect(
      (await dashboardRequest(hub.url, '/dashboard/api/calls', { headers: cookie(forged) })).status,
    ).toBe(401);
    const blocked = await postLogin(hub.url, monitor);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    expect(sessionCookieOf(blocked)).toBeUndefined();
  });
});
