import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csrfOf,
  dashboardRequest,
  openEvents,
  signIn,
  sessionCookie,
  startDashboardHub,
  type DashboardTestHub,
} from '../integration/dashboard-harness.js';
import { runCli, type HubTestDirs, type RunningTestHub } from '../integration/hub-harness.js';

const cookie = sessionCookie;

describe('an event stream ends with its session', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let client: Client;
  let signedOut: string;
  let revoked: string;
  let started: DashboardTestHub | undefined;

  beforeAll(async () => {
    started = await startDashboardHub(['monitor-out', 'monitor-revoked'], {
      hub: { rateLimit: { requestsPerMinute: 100_000, unauthenticatedPerMinute: 1000 } },
    });
    ({ dirs, hub, client } = started);
    signedOut = started.monitors['monitor-out']!;
    revoked = started.monitors['monitor-revoked']!;
  }, 60_000);

  afterAll(async () => {
    await started?.close();
  });

  // A call whose file name is `marker`, made once the session is over.
  async function callAfter(marker: string): Promise<void> {
    const wrote = await client.callTool({
      name: 'write_file',
      arguments: { path: path.join(dirs.root, `${marker}.txt`), content: 'after' },
    });
    expect(wrote.isError).toBeFalsy();
  }

  it('[DASH-AUTH-04] after sign-out the open stream sends no record of a later call and ends', async () => {
    const session = await signIn(hub.url, signedOut);
    const csrf = await csrfOf(hub.url, session);
    const stream = await openEvents(hub.url, session);
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
    const marker = `after-logout-${randomBytes(6).toString('hex')}`;
    await callAfter(marker);
    // The hub wrote the call's records (the marker is there to be leaked).
    expect(JSON.stringify(hub.auditRecords())).toContain(marker);
    const sent = await stream.ended;
    expect(sent).not.toContain(marker);
  }, 60_000);

  it('[DASH-AUTH-04] after a revoke the open stream sends no record of a later call and ends', async () => {
    const session = await signIn(hub.url, revoked);
    const stream = await openEvents(hub.url, session);
    expect(runCli(['token', 'revoke', 'monitor-revoked', '--home', dirs.home]).status).toBe(0);
    // Bounded: the hub looks the token up again within 2 s of the last check.
    let refused = false;
    for (let i = 0; i < 50 && !refused; i += 1) {
      const res = await dashboardRequest(hub.url, '/dashboard/api/summary', {
        headers: cookie(session),
      });
      refused = res.status === 401;
      if (!refused) await new Promise((r) => setTimeout(r, 200));
    }
    expect(refused).toBe(true);
    const marker = `after-revoke-${randomBytes(6).toString('hex')}`;
    await callAfter(marker);
    expect(JSON.stringify(hub.auditRecords())).toContain(marker);
    const sent = await stream.ended;
    expect(sent).not.toContain(marker);
  }, 60_000);
});
