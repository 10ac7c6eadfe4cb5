import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/index.js';
import { dashboardRequest, signIn } from '../integration/dashboard-harness.js';
import {
  createToken,
  makeHubDirs,
  removeHubDirs,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from '../integration/hub-harness.js';

// Enough log that verifying it takes far longer than a /healthz round trip (about 70 MB).
const RECORDS = 120_000;
// Bound on the /healthz requests sent while the verification runs.
const MAX_PROBES = 100_000;

describe('dashboard verification and the hub event loop', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let monitor: string;

  beforeAll(async () => {
    dirs = makeHubDirs({
      hub: { rateLimit: { requestsPerMinute: 1_000_000, unauthenticatedPerMinute: 1000 } },
    });
    const log = createAuditLog({ dir: path.join(dirs.home, 'logs'), env: {} });
    const content = 'x'.repeat(400);
    for (let i = 0; i < RECORDS; i += 1)
      log.record({
        server: 'files',
        tool: 'write_file',
        args: { path: `/r/f${i}.txt`, content },
        decision: 'allow',
        outcome: 'ok',
      });
    log.close();
    monitor = createToken(dirs, 'monitor', ['--servers', 'dashboard']);
    hub = await startHub(dirs);
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
    removeHubDirs(dirs);
  });

  it('[DASH-DOS-01] the hub answers /healthz while the dashboard verifies a large log', async () => {
    const session = await signIn(hub.url, monitor);
    let answered = false;
    const verify = dashboardRequest(hub.url, '/dashboard/api/verify?fresh=1', {
      headers: { cookie: `bastion_dashboard=${session}` },
    }).then((res) => {
      answered = true;
      return res;
    });
    // Health checks sent while the verification runs, answered before it is: on a blocked
    // event loop none is (the first may slip in before the verification starts).
    let servedMeanwhile = 0;
    for (let i = 0; i < MAX_PROBES && !answered; i += 1) {
      const health = await dashboardRequest(hub.url, '/healthz');
      expect(health.status).toBe(200);
      if (!answered) servedMeanwhile += 1;
    }
    const res = await verify;
    expect(res.status).toBe(200);
    const state = JSON.parse(res.body) as { state: string; records: number };
    expect(state.state).toBe('intact');
    expect(state.records).toBeGreaterThanOrEqual(RECORDS);
    expect(servedMeanwhile).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
