import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSandboxEnv,
  createSandbox,
  SANDBOX_HOME,
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
  TEST_LIMITS,
  wait,
  type SandboxWorld,
} from './sandbox-harness.js';

// Process isolation of the bubblewrap sandbox: env, PID namespace, network, tree kill.
describe.skipIf(!IS_LINUX)('bubblewrap sandbox: processes', () => {
  let sandbox: Sandbox;
  let world: SandboxWorld;
  const secret = canarySecret('env');

  beforeAll(async () => {
    process.env.BASTION_TEST_SECRET = secret;
    sandbox = await createSandbox({ enabled: true });
    world = createWorld();
  });
  afterAll(async () => {
    delete process.env.BASTION_TEST_SECRET;
    await sandbox.close();
    world.cleanup();
  });

  it('[SBX-ENV-01] never exposes server env secrets (env, /proc/self, /proc/1, /proc/*/environ)', async () => {
    // The spec env is built the way the shell server builds it: from process.env via the allowlist.
    const spec = specFor(world, { env: buildSandboxEnv(['LANG'], process.env, SANDBOX_HOME) });
    const r = await bash(
      sandbox,
      spec,
      [
        'env',
        'cat /proc/self/environ /proc/1/environ /proc/*/environ 2>/dev/null | tr "\\0" "\\n"',
        `node ${FIXTURES_DIR}/print-env.js`,
      ].join('; '),
    );
    expect(r.stdout.text).toContain('HOME=/home/sandbox');
    expect(r.stdout.text + r.stderr.text).not.toContain(secret);
    expect(r.stdout.text).not.toContain('BASTION_TEST_SECRET');
  });

  it('[SBX-PID-01] cannot see or signal the server or other sandboxes', async () => {
    const token = canarySecret('pidns');
    const other = sandbox.spawn(
      ['node', path.join(FIXTURES_DIR, 'forever.js'), token],
      specFor(world),
      TEST_LIMITS,
    );
    try {
      await new Promise((resolve) => other.stdout.once('data', resolve));
      // The marker is computed in the shell, so it is not in the command line that ps shows.
      const marker = 'KILLED-42';
      const r = await bash(
        sandbox,
        specFor(world),
        [
          `kill -9 ${process.pid} && echo KILLED-$((40+2))`,
          `kill -9 ${other.pid} && echo KILLED-$((40+2))`,
          `cat /proc/${process.pid}/environ 2>/dev/null | tr "\\0" "\\n"`,
          'ps -eo pid,args',
          'kill -9 -1; echo end',
        ].join('; '),
      );
      expect(r.stdout.text).toContain('end');
      expect(r.stdout.text).not.toContain(marker);
      expect(r.stdout.text).not.toContain(token);
      expect(r.stdout.text).not.toContain(secret);
      // bwrap reads its options from a pipe: the mount and mask list is not in ps output either.
      expect(r.stdout.text).not.toContain('--ro-bind');
      // The server and the other sandbox are alive (this test process keeps running, too).
      expect(hostPidsMatching(token).length).toBeGreaterThan(0);
    } finally {
      await other.kill();
    }
  });

  it('[SBX-NET-01] has no route to a host listener on 127.0.0.1 while the network is off', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await bash(
        sandbox,
        specFor(world),
        [
          `echo x > /dev/tcp/127.0.0.1/${port}`,
          `curl -s --max-time 3 http://127.0.0.1:${port}/`,
          `python3 -c "import socket; socket.create_connection(('127.0.0.1', ${port}), 3)"`,
          'echo end',
        ].join('; '),
      );
      expect(r.stdout.text).toContain('end');
      expect(connections).toBe(0);
      // Positive control: with network on, the same listener is reached.
      await bash(sandbox, specFor(world, { network: true }), `echo x > /dev/tcp/127.0.0.1/${port}`);
      expect(connections).toBe(1);
    } finally {
      server.close();
    }
  });

  it('[SBX-KILL-01] a timeout ends background, setsid, nohup and double-forked children', async () => {
    const token = canarySecret('escape');
    const m = (n: number) => path.join(world.rw, `${token}-${n}`);
    const r = await bash(
      sandbox,
      specFor(world),
      [
        `(sleep 2; touch ${m(1)}) & disown`,
        `setsid sh -c 'sleep 2; touch ${m(2)}' &`,
        `nohup sh -c 'sleep 2; touch ${m(3)}' >/dev/null 2>&1 &`,
        `( ( sleep 2; touch ${m(4)} ) & ) &`,
        `sleep 1000 # ${token}`,
      ].join('\n'),
      { timeoutMs: 800 },
    );
    expect(r.timedOut).toBe(true);
    await wait(3_000);
    for (const n of [1, 2, 3, 4]) expect(existsSync(m(n))).toBe(false);
    expect(hostPidsMatching(token)).toEqual([]);
  });

  it('[SBX-KILL-02] kill() and close() end the whole tree', async () => {
    const token = canarySecret('kill');
    const p = sandbox.spawn(
      ['/bin/bash', '-c', `setsid sleep 1000 & node ${FIXTURES_DIR}/forever.js ${token} & wait`],
      specFor(world),
      TEST_LIMITS,
    );
    await new Promise((resolve) => p.stdout.once('data', resolve));
    expect(hostPidsMatching(token).length).toBeGreaterThan(0);
    await p.kill();
    expect(hostPidsMatching(token)).toEqual([]);
    const token2 = canarySecret('close');
    const q = sandbox.spawn(
      ['node', path.join(FIXTURES_DIR, 'forever.js'), token2],
      specFor(world),
      TEST_LIMITS,
    );
    await new Promise((resolve) => q.stdout.once('data', resolve));
    await sandbox.close();
    expect(hostPidsMatching(token2)).toEqual([]);
    await expect(q.exited).resolves.toBeDefined();
  });

  it('[SBX-KILL-03] nothing outlives a command that exits normally', async () => {
    const token = canarySecret('bg');
    const marker = path.join(world.rw, token);
    const r = await bash(
      sandbox,
      specFor(world),
      `(sleep 2; touch ${marker}) & setsid sh -c 'sleep 1000 # ${token}' & echo started`,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout.text).toContain('started');
    expect(hostPidsMatching(token)).toEqual([]);
    await wait(2_500);
    expect(existsSync(marker)).toBe(false);
  });

  it('run() passes stdin, sends SIGTERM before SIGKILL, and reports a cancel', async () => {
    const echo = await sandbox.run(['/bin/cat'], specFor(world), TEST_LIMITS, {
      timeoutMs: 10_000,
      maxOutputBytes: 1024,
      stdin: 'from-stdin',
    });
    expect(echo.stdout.text).toBe('from-stdin');
    const graceful = await bash(
      sandbox,
      specFor(world),
      'trap "echo graceful > graceful.txt; exit 0" TERM; sleep 1000 & wait',
      { timeoutMs: 500 },
    );
    expect(graceful.timedOut).toBe(true);
    expect(existsSync(path.join(world.rw, 'graceful.txt'))).toBe(true);
    const controller = new AbortController();
    const token = canarySecret('cancel');
    const running = sandbox.run(
      ['/bin/bash', '-c', `sleep 1000 # ${token}`],
      specFor(world),
      TEST_LIMITS,
      { timeoutMs: 60_000, maxOutputBytes: 1024, signal: controller.signal },
    );
    await wait(300);
    controller.abort();
    const cancelled = await running;
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.timedOut).toBe(false);
    expect(hostPidsMatching(token)).toEqual([]);
  });
});
