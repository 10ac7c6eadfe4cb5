import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeCgroupLayout, sweepStaleCgroups } from '../../src/sandbox/cgroup.js';

const probed = process.platform === 'linux' ? probeCgroupLayout() : { layout: null };
const layout = probed.layout;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A pid that belonged to a process which has exited: a "server" that is gone.
function deadPid(): number {
  const done = spawnSync('/bin/sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(done.stdout.trim());
}

describe.skipIf(layout === null)('sandboxes orphaned by a killed server', () => {
  it("[SBX-KILL-04] the next server start kills what is left in a dead server's cgroups", async () => {
    if (layout === null) throw new Error('unreachable: the suite is skipped without cgroups');
    const parent = layout.version === 1 ? layout.pidsParent : layout.parent;
    const dir = path.join(parent, `bastion-${deadPid()}-orphan-test`);
    mkdirSync(dir);
    const orphan = spawn('/bin/sleep', ['300'], { detached: true, stdio: 'ignore' });
    orphan.unref();
    const pid = orphan.pid!;
    try {
      writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
      // A live server's own cgroup is never touched: only the dead owner's is swept.
      sweepStaleCgroups(layout);
      for (let i = 0; i < 50 && isAlive(pid); i += 1) await new Promise((r) => setTimeout(r, 50));
      expect(isAlive(pid)).toBe(false);
      sweepStaleCgroups(layout);
      expect(existsSync(dir)).toBe(false);
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      spawnSync('rmdir', [dir]);
    }
  });

  it('leaves the cgroups of a live server alone', () => {
    if (layout === null) throw new Error('unreachable: the suite is skipped without cgroups');
    const parent = layout.version === 1 ? layout.pidsParent : layout.parent;
    const dir = path.join(parent, `bastion-${process.pid}-live-test`);
    mkdirSync(dir);
    const live = spawn('/bin/sleep', ['300'], { detached: true, stdio: 'ignore' });
    live.unref();
    try {
      writeFileSync(path.join(dir, 'cgroup.procs'), String(live.pid));
      sweepStaleCgroups(layout);
      expect(isAlive(live.pid!)).toBe(true);
      expect(existsSync(dir)).toBe(true);
    } finally {
      process.kill(live.pid!, 'SIGKILL');
      for (let i = 0; i < 50 && spawnSync('rmdir', [dir]).status !== 0; i += 1) {
        spawnSync('sleep', ['0.05']);
      }
    }
  });
});
