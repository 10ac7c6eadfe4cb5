import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroupLayout } from '../../src/sandbox/cgroup.js';
import { findLauncher } from '../../src/sandbox/launcher/index.js';
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
