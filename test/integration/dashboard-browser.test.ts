import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectHubClient,
  createToken,
  makeHubDirs,
  removeHubDirs,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from './hub-harness.js';

// Debian's chromium, never a downloaded browser. As root it needs --no-sandbox (the tests
// load only the hub's own page, on loopback).
const CHROMIUM = '/usr/bin/chromium';
// A call made through the hub must be on the page within this (the functional bound).
const LIVE_DEADLINE_MS = 2_000;

// Chromium may still be installing when the suite starts: wait for it, bounded.
async function waitForChromium(limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!existsSync(CHROMIUM) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 500));
}

describe('the dashboard in headless Chromium', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let client: Client;
  let monitor: string;
  let writer: string;
  let shots: string;
  const problems: string[] = [];

  beforeAll(async () => {
    await waitForChromium(120_000);
    dirs = makeHubDirs({
      hub: {
        rateLimit: {
          requestsPerMinute: 100_000,
          maxConcurrent: 64,
          unauthenticatedPerMinute: 1000,
        },
      },
    });
    shots = mkdtempSync(path.join(os.tmpdir(), 'bastion-dashboard-shots-'));
    monitor = createToken(dirs, 'monitor', ['--servers', 'dashboard']);
    writer = createToken(dirs, 'writer', ['--servers', 'files']);
    hub = await startHub(dirs);
    client = await connectHubClient(hub.url, 'files', { era: 'modern', token: writer });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    page = await context.newPage();
    // Every console error (a CSP violation is one) and every uncaught exception fails the suite.
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning')
        problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await hub?.stop();
    if (dirs) removeHubDirs(dirs);
    if (shots) rmSync(shots, { recursive: true, force: true });
  });

  it('shows the sign-in form, and after signing in with the token the page, with no token in any URL', async () => {
    const urls: string[] = [];
    page.on('request', (req) => urls.push(req.url()));
    const first = await page.goto(`${hub.url}/dashboard`);
    expect(first?.status()).toBe(200);
    expect(first?.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.locator('#token').fill(monitor);
    await Promise.all([
      page.waitForURL(`${hub.url}/dashboard`),
      page.locator('#login-form button').click(),
    ]);
    await page.locator('#servers-table tbody tr[data-server="files"]').waitFor();
    await expect.poll(() => page.locator('#servers-table tbody tr').count()).toBe(2);
    expect(await page.locator('#who').textContent()).toContain('monitor');
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).not.toContain(monitor);
    const [session] = await context.cookies(hub.url + '/dashboard');
    expect(session).toMatchObject({
      name: 'bastion_dashboard',
      httpOnly: true,
      sameSite: 'Strict',
      path: '/dashboard',
    });
    expect(session!.value).not.toContain(monitor);
    // The page's script cannot read the session cookie.
    expect(await page.evaluate<string>('document.cookie')).toBe('');
  });

  it('shows a call made through the hub within two seconds, live', async () => {
    await page.locator('#live-state[data-live="true"]').waitFor({ timeout: 10_000 });
    const name = `live-${Date.now()}.txt`;
    const file = path.join(dirs.root, name);
    const wrote = await client.callTool({
      name: 'write_file',
      arguments: { path: file, content: 'live' },
    });
    expect(wrote.isError).toBeFalsy();
    const started = Date.now();
    const row = page.locator('#calls-table tbody tr', { hasText: name });
    await row.first().waitFor({ timeout: LIVE_DEADLINE_MS });
    await expect
      .poll(() => row.first().locator('td.decision').textContent(), { timeout: LIVE_DEADLINE_MS })
      .toBe('allow');
    console.error(`dashboard: call on the page ${Date.now() - started} ms after the call returned`);
    expect(await row.first().getAttribute('data-tool')).toBe('write_file');
  });

  it('shows a refusal live, and the decision filter keeps only refusals', async () => {
    const refused = await client.callTool({
      name: 'read_text_file',
      arguments: { path: dirs.canary },
    });
    expect(refused.isError).toBe(true);
    const denyRow = page.locator('#calls-table tbody tr[data-decision="deny"]', {
      hasText: 'read_text_file',
    });
    await denyRow.first().waitFor({ timeout: LIVE_DEADLINE_MS });
    // The canary's content never reaches the page (the call was refused before reading).
    expect(await page.content()).not.toContain('CANARY-hub-outside');
    await page.locator('#filter-decision').selectOption('deny');
    await expect
      .poll(() => page.locator('#calls-table tbody tr[data-decision="allow"]').count())
      .toBe(0);
    expect(
      await page.locator('#calls-table tbody tr[data-decision="deny"]').count(),
    ).toBeGreaterThan(0);
    await page.locator('#filter-decision').selectOption('');
    await expect
      .poll(() => page.locator('#calls-table tbody tr[data-decision="allow"]').count())
      .toBeGreaterThan(0);
  });

  it('shows error groups, and the chain verification on demand', async () => {
    const missing = await client.callTool({
      name: 'read_text_file',
      arguments: { path: path.join(dirs.root, 'no-such-file.txt') },
    });
    expect(missing.isError).toBe(true);
    await expect
      .poll(() => page.locator('#errors-table tbody tr[data-error-class]').count(), {
        timeout: 5_000,
      })
      .toBeGreaterThan(0);
    await page.locator('#verify-now').click();
    // Re-verified on the click: the records written so far are counted.
    await expect
      .poll(() => page.locator('#verify-state').textContent(), { timeout: 5_000 })
      .toMatch(/^intact: [1-9]\d* records/);
    expect(await page.locator('#verify-state').getAttribute('data-state')).toBe('intact');
  });

  it('[DASH-XSS-01] a file name carrying markup is shown as text and runs nothing', async () => {
    const name = `<img src=x onerror="window.__pwned=1">.txt`;
    const wrote = await client.callTool({
      name: 'write_file',
      arguments: { path: path.join(dirs.root, name), content: 'x' },
    });
    expect(wrote.isError).toBeFalsy();
    const row = page.locator('#calls-table tbody tr', { hasText: 'onerror=' });
    await row.first().waitFor({ timeout: LIVE_DEADLINE_MS });
    expect(await page.locator('#calls-table img').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.__pwned')).toBeUndefined();
    // Inline script is refused by the CSP even if injected: the page's policy holds.
    const report = page.waitForEvent('console', {
      predicate: (msg) => /Content Security Policy/i.test(msg.text()),
      timeout: 5_000,
    });
    const inline = await page.evaluate<unknown>(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
      return window.__inline;
    })()`);
    expect(inline).toBeUndefined();
    await report;
    // That attempt is the one CSP report expected; it is taken off the list.
    const index = problems.findIndex((p) => /Content Security Policy/i.test(p));
    expect(index).toBeGreaterThanOrEqual(0);
    problems.splice(index, 1);
  });

  it('undoes a change from the page, restoring the file byte for byte', async () => {
    const file = path.join(dirs.root, 'restore-me.txt');
    const original = 'line one\r\nzweite Zeile ✓\n\ttabbed\n';
    writeFileSync(file, original);
    const bytes = readFileSync(file);
    const wrote = await client.callTool({
      name: 'write_file',
      arguments: { path: file, content: 'overwritten' },
    });
    expect(wrote.isError).toBeFalsy();
    expect(readFileSync(file, 'utf8')).toBe('overwritten');
    const change = page.locator('#changes-table tbody tr', { hasText: 'restore-me.txt' }).first();
    await change.locator('button.undo').waitFor({ timeout: 5_000 });
    const id = await change.getAttribute('data-change');
    await change.locator('button.undo').click();
    await expect
      .poll(() => page.locator('#undo-result').textContent(), { timeout: 5_000 })
      .toMatch(/^Undid change/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    // Undone: that change offers no second Undo (the undo itself, a change too, offers a redo).
    const undone = page.locator(`#changes-table tbody tr[data-change="${id}"]`);
    await expect.poll(() => undone.textContent()).toContain('already undone');
    expect(await undone.locator('button.undo').count()).toBe(0);
  });

  it('looks right: a full-page screenshot with the key parts visible', async () => {
    for (const selector of [
      '#servers-table',
      '#chart',
      '#calls-table',
      '#errors-table',
      '#verify-state',
      '#changes-table',
    ])
      expect(await page.locator(selector).isVisible(), selector).toBe(true);
    expect(await page.locator('#calls-table tbody tr').count()).toBeGreaterThan(2);
    // The chart was drawn: its canvas holds non-blank pixels.
    const painted = await page.evaluate<number>(`(() => {
      const canvas = document.getElementById('chart');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count += 1;
      return count;
    })()`);
    expect(painted).toBeGreaterThan(100);
    const shot = path.join(shots, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it('signs out: the form is back and the API refuses the old cookie', async () => {
    const before = await context.cookies(hub.url + '/dashboard');
    await Promise.all([
      page.waitForURL(`${hub.url}/dashboard`),
      page.locator('#logout-form button').click(),
    ]);
    await page.locator('#login-form').waitFor();
    const res = await page.request.get(`${hub.url}/dashboard/api/calls`, {
      headers: { cookie: `bastion_dashboard=${before[0]!.value}` },
    });
    expect(res.status()).toBe(401);
    expect(await res.text()).not.toContain('write_file');
  });

  it('[DASH-AUTH-01] another browser without a session, with a forged cookie or a files-only token sees no audit data', async () => {
    const stranger = await browser.newContext();
    try {
      const other = await stranger.newPage();
      await other.goto(`${hub.url}/dashboard`);
      await other.locator('#token').fill(writer);
      await other.locator('#login-form button').click();
      await other.locator('#login-message').waitFor();
      expect(await other.locator('#calls-table').count()).toBe(0);
      expect(await stranger.cookies(hub.url + '/dashboard')).toEqual([]);
      await stranger.addCookies([
        { name: 'bastion_dashboard', value: 'A'.repeat(43), url: `${hub.url}/dashboard` },
      ]);
      await other.goto(`${hub.url}/dashboard`);
      await other.locator('#login-form').waitFor();
      const content = await other.content();
      expect(content).not.toContain('write_file');
      expect(content).not.toContain(dirs.root);
      for (const route of ['summary', 'calls', 'errors', 'changes', 'verify']) {
        const res = await other.request.get(`${hub.url}/dashboard/api/${route}`);
        expect(res.status(), route).toBe(401);
        const body = await res.text();
        expect(body, route).not.toContain('write_file');
        expect(body, route).not.toContain(dirs.root);
      }
    } finally {
      await stranger.close();
    }
  });

  it('saw no console error, uncaught exception or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
