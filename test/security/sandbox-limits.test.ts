import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import {
  bash,
  canarySecret,
  createWorld,
  FIXTURES_DIR,
  hostPidsMatching,
  IS_LINUX,
  specFor,
  TEST_LIMITS,
  wait,
  type SandboxWorld,
} from './sandbox-harness.js';

// Resource limits of the bubblewrap sandbox: processes, output, file size, memory, CPU.
describe.skipIf(!IS_LINUX)('bubblewrap sandbox: resource limits', () => {
  let sandbox: Sandbox;
  let world: SandboxWorld;
  let processLimitEnforced = false;

  beforeAll(async () => {
    sandbox = await createSandbox({ enabled: true });
    processLimitEnforced = sandbox.enforcement.processes !== 'pid-namespace-and-timeout-only';
    world = createWorld();
  });
  afterAll(async () => {
    await sandbox.close();
    world.cleanup();
  });

  it('[SBX-DOS-01] a fork bomb stays under the process limit, the server stays responsive, nothing is left', async (ctx) => {
    // Without a pids cgroup a root server has only the PID namespace and the timeout: skip visibly.
    if (!processLimitEnforced) ctx.skip();
    const token = canarySecret('forkbomb');
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 50);
    const running = bash(
      sandbox,
      specFor(world),
      `# ${token}\nbomb() { bomb | bomb & }; bomb; sleep 100`,
      { timeoutMs: 3_000, limits: { maxProcesses: 32 } },
    );
    await wait(1_500);
    // Seen from the host while the bomb runs: every bomb process carries the token.
    const during = hostPidsMatching(token).length;
    const r = await running;
    clearInterval(ticker);
    expect(r.timedOut).toBe(true);
    expect(during).toBeGreaterThan(1);
    expect(during).toBeLessThanOrEqual(32);
    expect(ticks).toBeGreaterThan(0);
    expect(hostPidsMatching(token)).toEqual([]);
    // The sandbox still works afterwards.
    const after = await bash(sandbox, specFor(world), 'echo alive');
    expect(after.stdout.text).toBe('alive\n');
  });

  it('[SBX-DOS-02] an output flood is capped head+tail, never buffered whole, and killed', async () => {
    const rssBefore = process.memoryUsage().rss;
    const r = await bash(
      sandbox,
      specFor(world),
      'echo HEAD-LINE; head -c 1G /dev/zero | tr "\\0" x; echo TAIL-LINE',
      {
        maxOutputBytes: 64 * 1024,
        timeoutMs: 30_000,
      },
    );
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(r.stdout.truncated).toBe(true);
    expect(r.stdout.text.length).toBeLessThan(70 * 1024);
    expect(r.stdout.text.startsWith('HEAD-LINE\n')).toBe(true);
    expect(r.stdout.text).toMatch(/\[\.\.\. \d+ bytes omitted \.\.\.\]/);
    expect(r.outputLimitHit).toBe(true);
    expect(r.stdout.totalBytes).toBeLessThan(1024 * 1024 * 1024);
    expect(rssGrowth).toBeLessThan(200 * 1024 * 1024);
    // A node flood through the fixture is capped the same way.
    const n = await sandbox.run(
      ['node', path.join(FIXTURES_DIR, 'flood.js')],
      specFor(world),
      TEST_LIMITS,
      {
        timeoutMs: 30_000,
        maxOutputBytes: 4096,
      },
    );
    expect(n.stdout.text.length).toBeLessThan(4200);
    expect(n.outputLimitHit).toBe(true);
  });

  it('[SBX-DOS-03] a write past the file-size limit is stopped', async () => {
    const r = await bash(sandbox, specFor(world), 'head -c 64M /dev/zero > big.bin; echo "rc=$?"', {
      limits: { maxFileSizeMb: 2 },
    });
    expect(r.stdout.text).toMatch(/rc=(153|1)/);
    expect(statSync(path.join(world.rw, 'big.bin')).size).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('[SBX-DOS-04] an allocation past the memory limit fails', async () => {
    const marker = 'ALLOCATED-' + 'OK';
    const r = await bash(
      sandbox,
      specFor(world),
      `python3 -c "b = b'x' * (512 * 1024 * 1024); print('ALLOCATED-' + 'OK', len(b))"; echo end`,
      { limits: { maxMemoryMb: 128 } },
    );
    expect(r.stdout.text).toContain('end');
    expect(r.stdout.text).not.toContain(marker);
  });

  it('[SBX-DOS-05] a busy loop is killed at the CPU-time limit, before the timeout', async () => {
    const r = await bash(sandbox, specFor(world), 'while :; do :; done', {
      limits: { maxCpuSeconds: 1 },
      timeoutMs: 30_000,
    });
    expect(r.timedOut).toBe(false);
    // SIGXCPU (24): bash reports 128+24, bwrap passes the status through.
    expect(r.exitCode).toBe(152);
  });

  it('[SBX-DOS-06] the sandbox root and /dev are read-only and every writable tmpfs is size-capped', async () => {
    const r = await bash(
      sandbox,
      specFor(world),
      [
        'touch /x && echo ROOT-$((40+2))',
        'touch /dev/x && echo DEV-$((40+2))',
        // The kernel's own view of each writable tmpfs's size (a fill past it gets ENOSPC).
        'df -m --output=size,target /tmp /var/tmp /dev/shm "$HOME" | tail -n +2',
      ].join('; '),
      { limits: { maxMemoryMb: 64, maxFileSizeMb: 64 } },
    );
    expect(r.stdout.text).not.toContain('ROOT-42');
    expect(r.stdout.text).not.toContain('DEV-42');
    const sizes = [...r.stdout.text.matchAll(/^\s*(\d+)\s+\//gm)].map((m) => Number(m[1]));
    expect(sizes).toHaveLength(4);
    for (const mb of sizes) expect(mb).toBeLessThanOrEqual(64);
  });
});
