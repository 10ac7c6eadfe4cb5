import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/index.js';
import { dashboardRequest, signIn } from './dashboard-harness.js';
import {
  createToken,
  makeHubDirs,
  removeHubDirs,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from './hub-harness.js';

const writeRecords = (dir: string, count: number): void => {
  const log = createAuditLog({ dir, env: {} });
  for (let i = 0; i < count; i += 1)
    log.record({
      server: 'files',
      tool: 'read_text_file',
      args: { path: `/r/f${i}` },
      decision: 'allow',
      outcome: 'ok',
    });
  log.close();
};

describe('the dashboard "Verify now"', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let cookie: string;
  const verify = async (query: string): Promise<{ state: string; records: number }> => {
    const res = await dashboardRequest(hub.url, `/dashboard/api/verify${query}`, {
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    return JSON.parse(res.body) as { state: string; records: number };
  };

  beforeAll(async () => {
    dirs = makeHubDirs();
    writeRecords(path.join(dirs.home, 'logs'), 3);
    const monitor = createToken(dirs, 'monitor', ['--servers', 'dashboard']);
    hub = await startHub(dirs);
    cookie = `bastion_dashboard=${await signIn(hub.url, monitor)}`;
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    removeHubDirs(dirs);
  });

  it('counts a record written just after a verification began (within the rate-limit interval)', async () => {
    const before = await verify('');
    expect(before.state).toBe('intact');
    // Written well within a second of that run's start: a run begun before it cannot count it.
    writeRecords(path.join(dirs.home, 'logs'), 1);
    const now = await verify('?fresh=1');
    expect(now.state).toBe('intact');
    expect(now.records).toBe(before.records + 1);
    // Asked again at once: still a run begun after the ask, so the same count, not a stale one.
    writeRecords(path.join(dirs.home, 'logs'), 2);
    expect((await verify('?fresh=1')).records).toBe(before.records + 3);
  });

  it('counts new records on every click, also when the last run is more than a second old', async () => {
    // The common case: the page loaded (and verified) a while ago, then "Verify now".
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_200));
    await settle();
    const first = await verify('?fresh=1');
    writeRecords(path.join(dirs.home, 'logs'), 1);
    await settle();
    expect((await verify('?fresh=1')).records).toBe(first.records + 1);
    writeRecords(path.join(dirs.home, 'logs'), 1);
    await settle();
    expect((await verify('?fresh=1')).records).toBe(first.records + 2);
  });
});
