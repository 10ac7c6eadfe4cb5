import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dashboardRequest,
  openEvents,
  signIn,
  sessionCookie,
  startDashboardHub,
  type DashboardTestHub,
} from '../integration/dashboard-harness.js';
import type { RunningTestHub } from '../integration/hub-harness.js';

// Planted at the end of every key: past any cut, so it must reach neither the API nor a stream.
const CANARY = `args-canary-${randomBytes(6).toString('hex')}`;
// What one call may weigh on the page, far above a real summary (about 2 KB).
const MAX_SUMMARY_BYTES = 16 * 1024;

// 12 x 12 x 12 keys of 2,000 characters (the audit log keeps keys up to 2 KB): about 3.9 MB,
// under the hub's 4 MiB body limit, refused by the SDK (no such tool) and audited as sent.
function heavyArgs(depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < 12; i += 1) {
    const key = `k${depth}-${i}-`.padEnd(2000 - CANARY.length, 'k') + CANARY;
    out[key] = depth >= 2 ? 'v' : heavyArgs(depth + 1);
  }
  return out;
}

describe('what one call weighs on the dashboard', () => {
  let hub: RunningTestHub;
  let client: Client;
  let monitor: string;

  let started: DashboardTestHub | undefined;

  beforeAll(async () => {
    started = await startDashboardHub(['monitor'], {
      hub: { rateLimit: { requestsPerMinute: 100_000, unauthenticatedPerMinute: 1000 } },
    });
    ({ hub, client } = started);
    monitor = started.monitors['monitor']!;
  }, 60_000);

  afterAll(async () => {
    await started?.close();
  });

  it('[DASH-DOS-02] megabytes of argument keys reach neither the calls API nor the event stream', async () => {
    const session = await signIn(hub.url, monitor);
    const tool = `no_such_tool_${randomBytes(4).toString('hex')}`;
    const stream = await openEvents(hub.url, session);
    const called = client.callTool({ name: tool, arguments: heavyArgs() }).catch((err) => err);
    const events = await stream.waitFor((text) => text.includes(tool) && text.endsWith('\n\n'));
    stream.close();
    await called;
    // The log keeps what was sent (keys cut at 2 KB): the canary is there to be leaked.
    expect(
      hub.auditRecords().some((r) => r.tool === tool && JSON.stringify(r).includes(CANARY)),
    ).toBe(true);
    const record = events.split('\n\n').find((e) => e.includes(tool)) ?? '';
    expect(record).toContain('event: record');
    expect(record).not.toContain(CANARY);
    expect(Buffer.byteLength(record)).toBeLessThan(MAX_SUMMARY_BYTES);

    const calls = await dashboardRequest(
      hub.url,
      `/dashboard/api/calls?tool=${encodeURIComponent(tool)}`,
      { headers: sessionCookie(session) },
    );
    expect(calls.status).toBe(200);
    const { total } = JSON.parse(calls.body) as { total: number };
    expect(total).toBe(1);
    expect(calls.body).not.toContain(CANARY);
    expect(Buffer.byteLength(calls.body)).toBeLessThan(MAX_SUMMARY_BYTES);
  }, 60_000);

  it("[DASH-DOS-02] made-up tool names grow the summary's filter choices past neither 100 names nor 64 characters", async () => {
    const session = await signIn(hub.url, monitor);
    const longName = `long_${'n'.repeat(1900)}${CANARY}`;
    const names = [longName, ...Array.from({ length: 120 }, (_, i) => `made_up_${i}`)];
    for (const name of names)
      await client.callTool({ name, arguments: {} }).catch((err: unknown) => err);
    expect(hub.auditRecords().some((r) => String(r.tool).includes(CANARY))).toBe(true);
    const summary = await dashboardRequest(hub.url, '/dashboard/api/summary', {
      headers: sessionCookie(session),
    });
    expect(summary.status).toBe(200);
    expect(summary.body).not.toContain(CANARY);
    const { filters } = JSON.parse(summary.body) as { filters: { tools: string[] } };
    expect(filters.tools.length).toBeLessThanOrEqual(100);
    expect(filters.tools.every((t) => t.length <= 64)).toBe(true);
  }, 60_000);
});
