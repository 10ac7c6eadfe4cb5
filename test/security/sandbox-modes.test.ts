import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxUnavailableError } from '../../src/errors/index.js';
import {
  buildSandboxEnv,
  createSandbox,
  detectSandbox,
  type Sandbox,
} from '../../src/sandbox/index.js';
import {
  bash,
  canarySecret,
  createWorld,
  FIXTURES_DIR,
  hostPidsMatching,
  IS_LINUX,
  specFor,
  wait,
  type SandboxWorld,
} from './sandbox-harness.js';

// The two fallbacks: a missing bwrap must refuse loudly; a disabled sandbox still scrubs and kills.
describe.skipIf(!IS_LINUX)('sandbox modes', () => {
  let world: SandboxWorld;
  beforeAll(() => {
    world = createWorld();
  });
  afterAll(() => world.cleanup());

  it('[SBX-UNAV-01] refuses with a fix when bwrap is missing (never falls back to no sandbox)', async () => {
    const detection = await detectSandbox({ searchPath: '/nonexistent-bin' });
    expect(detection.ok).toBe(false);
    if (!detection.ok) expect(detection.fix).toContain('apt-get install -y bubblewrap');
    const viaPath = createSandbox({ enabled: true, searchPath: '/nonexistent-bin:/also-missing' });
    await expect(viaPath).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(viaPath).rejects.toThrow(/bubblewrap.*apt-get install -y bubblewrap/s);
    // A bwrap that exists but cannot sandbox (here: /bin/false) is refused the same way.
    await expect(createSandbox({ enabled: true, bwrapPath: '/bin/false' })).rejects.toThrow(
      /To fix:/,
    );
  });

  it('detects a working bubblewrap on this machine', async () => {
    const detection = await detectSandbox();
    expect(detection).toMatchObject({ ok: true, kind: 'bubblewrap' });
  });

  describe('disabled sandbox (kind none)', () => {
    let sandbox: Sandbox;
    const secret = canarySecret('none-env');
    beforeAll(async () => {
      process.env.BASTION_TEST_SECRET = secret;
      sandbox = await createSandbox({ enabled: false });
    });
    afterAll(async () => {
      delete process.env.BASTION_TEST_SECRET;
      await sandbox.close();
    });

    it('[SBX-NONE-01] still scrubs the env, kills the tree on timeout and caps output', async () => {
      expect(sandbox.kind).toBe('none');
      const spec = specFor(world, { env: buildSandboxEnv([], process.env, world.rw) });
      const env = await sandbox.run(
        ['node', path.join(FIXTURES_DIR, 'print-env.js')],
        spec,
        { maxProcesses: 64, maxMemoryMb: 2048, maxFileSizeMb: 16, maxCpuSeconds: 30 },
        { timeoutMs: 10_000, maxOutputBytes: 65536 },
      );
      expect(env.stdout.text).toContain('"PATH"');
      expect(env.stdout.text).not.toContain(secret);

      const token = canarySecret('none-bg');
      const marker = path.join(world.rw, token);
      const r = await bash(sandbox, spec, `(sleep 2; touch ${marker}) & sleep 1000 # ${token}`, {
        timeoutMs: 500,
      });
      expect(r.timedOut).toBe(true);
      expect(hostPidsMatching(token)).toEqual([]);
      await wait(2_500);
      expect(existsSync(marker)).toBe(false);

      const flood = await bash(sandbox, spec, 'yes', { maxOutputBytes: 1024, timeoutMs: 20_000 });
      expect(flood.stdout.truncated).toBe(true);
      expect(flood.stdout.text.length).toBeLessThan(1100);
      expect(flood.outputLimitHit).toBe(true);
    });

    it('[SBX-NONE-01] a setsid escapee is killed when a cgroup holds the tree', async (ctx) => {
      if (sandbox.enforcement.processes !== 'cgroup') ctx.skip();
      const token = canarySecret('none-setsid');
      const marker = path.join(world.rw, token);
      const spec = specFor(world, { env: buildSandboxEnv([], process.env, world.rw) });
      const r = await bash(
        sandbox,
        spec,
        `(setsid sh -c 'sleep 2; touch ${marker} # ${token}' &) ; sleep 1000`,
        { timeoutMs: 500 },
      );
      expect(r.timedOut).toBe(true);
      expect(hostPidsMatching(token)).toEqual([]);
      await wait(2_500);
      expect(existsSync(marker)).toBe(false);
    });
  });

  describe('bubblewrap without cgroups (the rlimit / PID-namespace fallback)', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await createSandbox({ enabled: true, useCgroups: false });
    });
    afterAll(async () => sandbox.close());

    it('[SBX-KILL-01] the PID namespace alone ends setsid and double-forked escapees', async () => {
      expect(sandbox.enforcement.memory).toBe('rlimit-as');
      const token = canarySecret('nocg');
      const m = (n: number) => path.join(world.rw, `${token}-${n}`);
      const script = [
        `setsid sh -c 'sleep 2; touch ${m(1)}' &`,
        `( ( sleep 2; touch ${m(2)} ) & ) &`,
        `sleep 1000 # ${token}`,
      ].join('\n');
      const r = await bash(sandbox, specFor(world), script, { timeoutMs: 500 });
      expect(r.timedOut).toBe(true);
      expect(hostPidsMatching(token)).toEqual([]);
      await wait(2_500);
      expect(existsSync(m(1)) || existsSync(m(2))).toBe(false);
    });

    it('[SBX-DOS-04] RLIMIT_AS stops an allocation past the memory limit', async () => {
      const r = await bash(
        sandbox,
        specFor(world),
        `python3 -c "b = b'x' * (512 * 1024 * 1024); print('ALLOCATED-' + 'OK')"; echo end`,
        { limits: { maxMemoryMb: 128 } },
      );
      expect(r.stdout.text).toContain('end');
      expect(r.stdout.text).not.toContain('ALLOCATED-OK');
      expect(r.stderr.text).toContain('MemoryError');
    });
  });
});
