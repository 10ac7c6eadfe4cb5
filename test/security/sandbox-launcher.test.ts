import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroupLayout } from '../../src/sandbox/cgroup.js';
import { findLauncher, LAUNCHER_BINARY } from '../../src/sandbox/launcher/index.js';
import {
  canarySecret,
  createWorld,
  hostPidsMatching,
  IS_LINUX,
  specFor,
  TEST_LIMITS,
  wait,
  type SandboxWorld,
} from './sandbox-harness.js';

const SANDBOX_JS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/sandbox/index.js',
);
const hasLauncher = IS_LINUX && findLauncher() !== null && existsSync(SANDBOX_JS);
const hasCgroups = IS_LINUX && probeCgroupLayout().layout !== null;

// A stand-in server: builds a sandbox from the built code, starts a command that escapes into
// its own session, prints "up" once it runs, then waits to be killed.
const SERVER = `
const { createSandbox } = await import(process.argv[1]);
const [enabled, spec, limits, token] = JSON.parse(process.argv[2]);
const sandbox = await createSandbox({ enabled });
const proc = sandbox.spawn(['/bin/sh', '-c', "setsid sh -c 'sleep 1000 # " + token + "' & echo up; wait"], spec, limits);
proc.stdout.on('data', (d) => process.stdout.write(d));
setInterval(() => undefined, 1000);
`;

async function killServerMidCommand(enabled: boolean, world: SandboxWorld, token: string) {
  const spec = specFor(world);
  const server = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      SERVER,
      pathToFileURL(SANDBOX_JS).href,
      JSON.stringify([enabled, spec, TEST_LIMITS, token]),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => server.stdout.once('data', resolve));
  expect(hostPidsMatching(token).length).toBeGreaterThan(0);
  server.kill('SIGKILL');
  await new Promise((resolve) => server.once('exit', resolve));
  // The launcher notices at once (PR_SET_PDEATHSIG); give it a bounded moment to finish.
  for (let i = 0; i < 100 && hostPidsMatching(token).length > 0; i += 1) await wait(50);
}

describe.skipIf(!hasLauncher)('sandbox launcher: a killed server leaves nothing running', () => {
  let world: SandboxWorld;
  beforeAll(() => {
    world = createWorld();
  });
  afterAll(() => world.cleanup());

  it('[SBX-KILL-05] SIGKILL of the server mid-command kills the sandbox, setsid escapee included', async () => {
    const token = canarySecret('server-kill');
    await killServerMidCommand(true, world, token);
    expect(hostPidsMatching(token)).toEqual([]);
  });

  it.skipIf(!hasCgroups)(
    '[SBX-KILL-05] with the sandbox disabled, the cgroup still takes the escapee down with the server',
    async () => {
      const token = canarySecret('server-kill-none');
      await killServerMidCommand(false, world, token);
      expect(hostPidsMatching(token)).toEqual([]);
    },
  );
});

// A server blocked on a launch answer while thousands of its children exit: the launcher must
// not block writing their exit notices into the full event pipe (both would wait forever). The
// stand-in server speaks the frame protocol synchronously and never reads the event pipe.
const FLOOD = `
const { spawn } = await import('node:child_process');
const { openSync, readSync, writeSync } = await import('node:fs');
const { encodeLaunch, encodeRelease } = await import(process.argv[1]);
const child = spawn(process.argv[2], [String(process.pid)], { stdio: ['pipe', 'pipe', 'inherit'] });
const ready = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
child.stdout.pause();
const [, req, resp] = ready.trim().split(' ');
const reqFd = openSync('/proc/' + child.pid + '/fd/' + req, 'w');
const respFd = openSync('/proc/' + child.pid + '/fd/' + resp, 'r');
const buf = Buffer.alloc(256);
const launches = Number(process.argv[3]);
for (let i = 0; i < launches; i++) {
  const frame = encodeLaunch({ argv: ['/bin/true'], cwd: '/', env: {}, cgroupDirs: [], rlimits: [], fds: [] });
  writeSync(reqFd, frame);
  let line = '';
  while (!line.endsWith('\\n')) line += buf.toString('latin1', 0, readSync(respFd, buf));
  writeSync(reqFd, encodeRelease(Number(line.split(' ')[1])));
}
let events = '';
child.stdout.on('data', (d) => {
  events += String(d);
  const exits = events.split('\\n').filter((l) => l.startsWith('exit ')).length;
  if (exits === launches) { console.log('exits ' + exits); process.exit(0); }
});
child.stdout.resume();
`;

describe.skipIf(!hasLauncher)('launcher under a flood of exits', () => {
  it('[SBX-KILL-05] 8,000 children exiting while the server reads no events: every launch answered, every exit reported', async () => {
    const protocol = pathToFileURL(
      path.resolve(path.dirname(SANDBOX_JS), 'launcher', 'protocol.js'),
    ).href;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', FLOOD, protocol, LAUNCHER_BINARY, '8000'],
        // A deadlock would hang forever: the bound turns it into a failure.
        { timeout: 60_000, killSignal: 'SIGKILL' },
        (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(out.trim()).toBe('exits 8000');
  }, 90_000);
});
