import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathsFixture, readViaGuard, type PathsFixture } from './paths-fixture.js';

// Bounded, not timed: stop at MAX_ITERATIONS or MAX_MS, whichever comes first. Nothing asserts speed.
const MAX_ITERATIONS = 2000;
const MAX_MS = 3000;

let fx: PathsFixture;
beforeAll(() => {
  fx = createPathsFixture();
});
afterAll(() => fx.cleanup());

function budget(): () => boolean {
  const started = Date.now();
  let iterations = 0;
  return () => {
    iterations += 1;
    return iterations <= MAX_ITERATIONS && Date.now() - started < MAX_MS;
  };
}

// Run `swap` until `attack` has finished its bounded loop.
async function race(swap: () => Promise<void>, attack: () => Promise<void>): Promise<void> {
  const keepGoing = budget();
  let done = false;
  const swapper = (async () => {
    while (!done) await swap();
  })();
  try {
    while (keepGoing()) await attack();
  } finally {
    done = true;
    await swapper;
  }
}

describe('path races', () => {
  it('[PATH-RACE-01] a file swapped between a regular file and a link to the canary never yields the canary', async () => {
    const dir = path.join(fx.root, 'race-file');
    mkdirSync(dir);
    const target = path.join(dir, 'target');
    writeFileSync(target, 'SAFE');
    let n = 0;
    await race(
      async () => {
        n += 1;
        const staged = path.join(dir, `staged-${n}`);
        if (n % 2 === 0) await symlink(fx.canary, staged);
        else await writeFile(staged, 'SAFE');
        // rename() replaces atomically, so the target flips between the two kinds with no gap.
        await rename(staged, target);
      },
      async () => {
        const { content } = await readViaGuard(fx.guard, 'race-file/target');
        expect(content ?? '').not.toContain(fx.secret);
      },
    );
    expect(n).toBeGreaterThan(0);
    await writeFile(path.join(dir, 'staged-final'), 'SAFE');
    await rename(path.join(dir, 'staged-final'), target);
    expect((await readViaGuard(fx.guard, 'race-file/target')).content).toBe('SAFE');
  });

  it('[PATH-RACE-01] a parent directory swapped for a link to an outside dir never yields the canary', async () => {
    // The outside directory holds a file with the same name, so only the descriptor check stands
    // between the reader and the secret (O_NOFOLLOW guards the last component only).
    const outsideDir = path.join(fx.outside, 'race-dir');
    mkdirSync(outsideDir);
    writeFileSync(path.join(outsideDir, 'f'), fx.secret);
    const dir = path.join(fx.root, 'race-parent');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'sub/f'), 'SAFE');
    let n = 0;
    await race(
      async () => {
        n += 1;
        await rename(path.join(dir, 'sub'), path.join(dir, 'parked'));
        await symlink(outsideDir, path.join(dir, 'sub'));
        await rm(path.join(dir, 'sub'));
        await rename(path.join(dir, 'parked'), path.join(dir, 'sub'));
      },
      async () => {
        const { content } = await readViaGuard(fx.guard, 'race-parent/sub/f');
        expect(content ?? '').not.toContain(fx.secret);
      },
    );
    expect(n).toBeGreaterThan(0);
    // Once the swapping stops, the very same read succeeds: the refusals above were the race.
    expect((await readViaGuard(fx.guard, 'race-parent/sub/f')).content).toBe('SAFE');
  });

  it('[PATH-RACE-02] writeFileAtomic never writes into an outside dir swapped in for the parent', async () => {
    const outsideDir = path.join(fx.outside, 'write-race');
    await mkdir(outsideDir);
    const dir = path.join(fx.root, 'write-race');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    let n = 0;
    await race(
      async () => {
        n += 1;
        await rename(path.join(dir, 'sub'), path.join(dir, 'parked'));
        await symlink(outsideDir, path.join(dir, 'sub'));
        await rm(path.join(dir, 'sub'));
        await rename(path.join(dir, 'parked'), path.join(dir, 'sub'));
      },
      async () => {
        try {
          await fx.guard.writeFileAtomic('write-race/sub/f.txt', 'data');
        } catch {
          // Refusals and ENOENT while the directory is parked are expected.
        }
        expect(readdirSync(outsideDir)).toEqual([]);
      },
    );
    expect(readdirSync(outsideDir)).toEqual([]);
    expect(n).toBeGreaterThan(0);
    await fx.guard.writeFileAtomic('write-race/sub/f.txt', 'final');
    expect(readFileSync(path.join(dir, 'sub/f.txt'), 'utf8')).toBe('final');
    expect(readdirSync(path.join(dir, 'sub')).filter((name) => name.includes('.bastion-'))).toEqual(
      [],
    );
  });
});
