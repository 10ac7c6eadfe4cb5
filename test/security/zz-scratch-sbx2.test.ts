import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { bash, createWorld, specFor } from './sandbox-harness.js';

it('probe2', async () => {
  const sandbox = await createSandbox({ enabled: true });
  const world = createWorld();
  writeFileSync(path.join(world.rw, 'KEY.PEM'), 'PEMSECRET');
  writeFileSync(path.join(world.rw, '.ENV'), 'ENVSECRET');
  mkdirSync(path.join(world.rw, 'private'));
  writeFileSync(path.join(world.rw, 'private', 'x'), 'ABSSECRET');
  writeFileSync(path.join(world.rw, 'tok.txt'), 'ABSFILESECRET');
  const spec = specFor(world, {
    deny: [...specFor(world).deny, `${world.rw}/private/**`, `${world.rw}/tok.txt`],
  });
  const r = await bash(sandbox, spec, 'cat KEY.PEM .ENV private/x tok.txt 2>&1');
  console.log(r.stdout, r.stderr);
  await sandbox.close();
  world.cleanup();
}, 60_000);
