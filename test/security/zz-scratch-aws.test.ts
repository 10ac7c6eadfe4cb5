import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { bash, createWorld, specFor } from './sandbox-harness.js';

it('aws', async () => {
  const sandbox = await createSandbox({ enabled: true });
  const world = createWorld();
  mkdirSync(path.join(world.rw, 'proj/.aws'), { recursive: true });
  writeFileSync(path.join(world.rw, 'proj/.aws/credentials'), 'AWSSECRET');
  const spec = specFor(world, { deny: ['**/.aws/credentials'] });
  const r1 = await bash(sandbox, spec, 'mv proj/.aws proj/aws2 2>&1; cat proj/aws2/credentials 2>&1; echo end1');
  const r2 = await bash(sandbox, spec, 'cat proj/aws2/credentials 2>&1; echo end2');
  console.log('R', r1.stdout.text, r2.stdout.text);
  await sandbox.close();
  world.cleanup();
}, 60_000);
