import { describe, expect, it } from 'vitest';
import { createSandbox, detectSandbox } from '../../src/sandbox/index.js';
import { bash, createWorld, IS_LINUX, specFor } from './sandbox-harness.js';

// A CPU the privilege filter has no syscall table for (riscv64 stands in for it): the sandbox
// still runs commands, and says at every start and in doctor's line that nothing stops a
// setuid file being left in a root.
describe.skipIf(!IS_LINUX || process.arch !== 'x64')('sandbox on a CPU without a filter', () => {
  it('[SBX-PRIV-03] warns at start and in the detection detail, and still runs commands', async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), info: () => undefined };
    const sandbox = await createSandbox({ enabled: true, arch: 'riscv64', logger });
    const world = createWorld();
    try {
      const res = await bash(sandbox, specFor(world), 'echo still-runs');
      expect(res.stdout.text).toBe('still-runs\n');
    } finally {
      await sandbox.close();
      world.cleanup();
    }
    expect(
      warnings.some((w) => w.includes('no seccomp privilege filter') && w.includes('riscv64')),
    ).toBe(true);
    const detected = await detectSandbox({ arch: 'riscv64' });
    expect(detected.ok && detected.privilegeFilter).toBe(false);
    expect(detected.ok && detected.detail).toContain('riscv64');
  });
});
