import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathGuard } from '../../src/policy/paths/index.js';
import { createPathsFixture, readViaGuard, type PathsFixture } from './paths-fixture.js';

// The guard remembers deny answers (every check matches the same ancestors again); a remembered
// answer must never outlive what it depended on: the roots in force and the path itself.
let fx: PathsFixture;
let secretFile: string;
beforeAll(() => {
  fx = createPathsFixture();
  mkdirSync(path.join(fx.root, 'sub/secret'), { recursive: true });
  secretFile = path.join(fx.root, 'sub/secret/token.txt');
  writeFileSync(secretFile, 'DENY-MEMORY-CANARY');
});
afterAll(() => fx.cleanup());

// `secret/**` is relative to a root: it covers <root>/secret only, so whether
// <root>/sub/secret/token.txt is denied depends on which roots are in force.
function guardWithRelativeDeny() {
  return createPathGuard({ ...fx.config, deny: [...fx.config.deny, 'secret/**'] });
}

describe('remembered deny answers', () => {
  it('[PATH-DENY-MEM-01] follow client roots that narrow, widen back and narrow again', async () => {
    const guard = guardWithRelativeDeny();
    expect(guard.isDenied(secretFile)).toBe(false);
    guard.setClientRoots([path.join(fx.root, 'sub')]);
    expect(guard.isDenied(secretFile)).toBe(true);
    const narrowed = await readViaGuard(guard, secretFile);
    expect(narrowed.content).toBeUndefined();
    guard.setClientRoots(undefined);
    expect(guard.isDenied(secretFile)).toBe(false);
    guard.setClientRoots([path.join(fx.root, 'sub')]);
    expect(guard.isDenied(secretFile)).toBe(true);
  });

  it("[PATH-DENY-MEM-02] follow a request's own roots, and do not leak them to the next request", async () => {
    const guard = guardWithRelativeDeny();
    expect(guard.isDenied(secretFile)).toBe(false);
    const inside = await guard.withClientRoots([path.join(fx.root, 'sub')], async () => {
      const { content } = await readViaGuard(guard, secretFile);
      return { denied: guard.isDenied(secretFile), content };
    });
    expect(inside).toEqual({ denied: true, content: undefined });
    expect(guard.isDenied(secretFile)).toBe(false);
  });

  it('[PATH-DENY-MEM-03] still deny after a flood of made-up paths and root sets filled the memory', async () => {
    const guard = createPathGuard(fx.config);
    const envFile = path.join(fx.root, '.env');
    expect(guard.isDenied(envFile)).toBe(true);
    for (let i = 0; i < 20_000; i += 1)
      expect(guard.isDenied(path.join(fx.root, `made-up-${i}.txt`))).toBe(false);
    for (let i = 0; i < 40; i += 1) {
      const denied = await guard.withClientRoots(
        [path.join(fx.root, `missing-${i}`), fx.root],
        () => Promise.resolve(guard.isDenied(envFile)),
      );
      expect(denied).toBe(true);
    }
    expect(guard.isDenied(envFile)).toBe(true);
    const { content } = await readViaGuard(guard, envFile);
    expect(content).toBeUndefined();
    expect(guard.isDenied(path.join(fx.root, 'nested/.ssh/id_rsa'))).toBe(true);
  });
});
