import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PathOutsideRootsError } from '../../src/errors/index.js';
import {
  openFileForRead,
  openVerifiedDirectory,
  type GuardChecks,
} from '../../src/policy/paths/open-verified.js';
import { createPathChecks } from '../../src/policy/paths/path-guard.js';
import { writeFileAtomic } from '../../src/policy/paths/write-atomic.js';
import { createPathsFixture, type PathsFixture } from './paths-fixture.js';

// Deterministic replays of the races in paths-race.test.ts: the swap happens exactly between the
// path check (resolve) and the use (open/write), so only the descriptor-level defences remain.
let fx: PathsFixture;
let dir: string;
let outsideDir: string;
beforeAll(() => {
  fx = createPathsFixture();
});
afterAll(() => fx.cleanup());
beforeEach(() => {
  dir = path.join(fx.root, `toctou-${Math.random().toString(36).slice(2)}`);
  outsideDir = path.join(fx.outside, path.basename(dir));
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'sub/f'), 'SAFE');
  mkdirSync(outsideDir);
  writeFileSync(path.join(outsideDir, 'f'), fx.secret);
});

// Checks whose resolve() runs `swap` after answering, like an attacker winning the race.
function swappingAfterCheck(swap: () => void): GuardChecks {
  const checks = createPathChecks(fx.config);
  return {
    resolve: async (rawPath, intent) => {
      const resolved = await checks.resolve(rawPath, intent);
      swap();
      return resolved;
    },
    verifyRealPath: (realPath, intent, displayPath) =>
      checks.verifyRealPath(realPath, intent, displayPath),
  };
}

function swapParentForOutsideLink(): void {
  renameSync(path.join(dir, 'sub'), path.join(dir, 'parked'));
  symlinkSync(outsideDir, path.join(dir, 'sub'));
}

const rel = (p: string): string => path.relative(fx.root, path.join(dir, p));

describe('swap between check and use', () => {
  it('[PATH-RACE-01] a final component swapped for a link to the canary is refused (O_NOFOLLOW)', async () => {
    const checks = swappingAfterCheck(() => {
      rmSync(path.join(dir, 'sub/f'));
      symlinkSync(fx.canary, path.join(dir, 'sub/f'));
    });
    const attempt = openFileForRead(checks, rel('sub/f'));
    await expect(attempt).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('[PATH-RACE-01] a parent swapped for a link outside is refused by the descriptor check', async () => {
    const attempt = openFileForRead(swappingAfterCheck(swapParentForOutsideLink), rel('sub/f'));
    await expect(attempt).rejects.toBeInstanceOf(PathOutsideRootsError);
    await expect(attempt).rejects.not.toThrow(fx.secret);
  });

  it('[PATH-RACE-01] a listed directory swapped for a link outside is refused, never listed', async () => {
    const attempt = openVerifiedDirectory(
      swappingAfterCheck(() => {
        renameSync(path.join(dir, 'sub'), path.join(dir, 'parked'));
        symlinkSync(outsideDir, path.join(dir, 'sub'));
      }),
      rel('sub'),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('[PATH-RACE-02] a write whose parent is swapped for a link outside lands nowhere outside', async () => {
    const attempt = writeFileAtomic(
      swappingAfterCheck(swapParentForOutsideLink),
      1024,
      rel('sub/new.txt'),
      'pwned',
    );
    await expect(attempt).rejects.toMatchObject({ code: 'ELOOP' });
    expect(readdirSync(outsideDir)).toEqual(['f']);
    expect(readFileSync(path.join(outsideDir, 'f'), 'utf8')).toBe(fx.secret);
  });

  it('[PATH-RACE-02] a write whose grandparent is swapped for a link outside is refused by the descriptor check', async () => {
    mkdirSync(path.join(outsideDir, 'sub'));
    const checks = swappingAfterCheck(() => {
      renameSync(dir, `${dir}-parked`);
      symlinkSync(outsideDir, dir);
    });
    const attempt = writeFileAtomic(checks, 1024, rel('sub/new.txt'), 'pwned');
    await expect(attempt).rejects.toBeInstanceOf(PathOutsideRootsError);
    expect(readdirSync(path.join(outsideDir, 'sub'))).toEqual([]);
  });

  it('[PATH-RACE-02] a target swapped for a link to the canary is refused and the canary is unchanged', async () => {
    for (const mode of ['overwrite', 'append', 'create'] as const) {
      const name = `target-${mode}`;
      if (mode !== 'create') writeFileSync(path.join(dir, 'sub', name), 'old');
      const checks = swappingAfterCheck(() => {
        rmSync(path.join(dir, 'sub', name), { force: true });
        symlinkSync(fx.canary, path.join(dir, 'sub', name));
      });
      await expect(
        writeFileAtomic(checks, 1024, rel(`sub/${name}`), 'pwned', mode),
      ).rejects.toMatchObject({
        code: 'ELOOP',
      });
      expect(readFileSync(fx.canary, 'utf8')).toBe(fx.secret);
    }
    expect(readdirSync(path.join(dir, 'sub')).filter((n) => n.includes('.bastion-'))).toEqual([]);
  });
});
