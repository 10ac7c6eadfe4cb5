import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DenyMaskCache } from './deny-mask-cache.js';
import { computeDenyMasks, listPrivateEntries } from './deny-masks.js';

describe('computeDenyMasks (real temp dirs)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'bastion-masks-'));
    for (const dir of ['a/b', 'a/.ssh/keys', 'node_modules/x', 'secrets'])
      mkdirSync(path.join(root, dir), { recursive: true });
    for (const file of [
      '.env',
      'a/b/.env.local',
      'a/b/cert.pem',
      'a/.ssh/keys/id',
      'a/readme.md',
      'node_modules/x/test.pem',
      'secrets/x.txt',
    ]) {
      writeFileSync(path.join(root, file), 'x');
    }
    symlinkSync('/etc/passwd', path.join(root, 'a/link.pem'));
    writeFileSync(path.join(root, 'private.txt'), 'x', { mode: 0o600 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists matching files and whole denied dirs, skipping symlinks', () => {
    const masks = computeDenyMasks([root], ['**/.env', '**/.env.*', '**/*.pem', '**/.ssh/**']);
    expect(masks.files.sort()).toEqual(
      ['.env', 'a/b/.env.local', 'a/b/cert.pem', 'node_modules/x/test.pem']
        .map((f) => path.join(root, f))
        .sort(),
    );
    expect(masks.dirs).toEqual([path.join(root, 'a/.ssh')]);
  });

  it('returns nothing without deny patterns', () => {
    expect(computeDenyMasks([root], [])).toEqual({ files: [], dirs: [] });
  });

  it('lists non-world-readable entries of a system-like dir', () => {
    const masks = listPrivateEntries(root);
    expect(masks.files).toContain(path.join(root, 'private.txt'));
    expect(masks.files).not.toContain(path.join(root, 'a/readme.md'));
  });
});

describe('DenyMaskCache', () => {
  it('matches the fresh walk after adds, renames and deletes in old (trusted) directories', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'bastion-mask-cache-'));
    try {
      mkdirSync(path.join(root, 'a/b/c'), { recursive: true });
      writeFileSync(path.join(root, 'a/b/one.pem'), 'x');
      const old = new Date(Date.now() - 3_600_000);
      for (const d of ['', 'a', 'a/b', 'a/b/c']) utimesSync(path.join(root, d), old, old);
      const deny = ['**/.env', '**/*.pem', '**/.ssh/**'];
      const cache = new DenyMaskCache();
      const sorted = (m: { files: string[]; dirs: string[] }) => ({
        files: [...m.files].sort(),
        dirs: [...m.dirs].sort(),
      });
      expect(sorted(cache.compute([root], deny))).toEqual(sorted(computeDenyMasks([root], deny)));
      writeFileSync(path.join(root, 'a/b/c/.env'), 'secret'); // deep, in a trusted dir
      mkdirSync(path.join(root, 'a/.ssh'));
      renameSync(path.join(root, 'a/b/one.pem'), path.join(root, 'a/two.pem'));
      const after = sorted(cache.compute([root], deny));
      expect(after).toEqual(sorted(computeDenyMasks([root], deny)));
      expect(after.files).toContain(path.join(root, 'a/b/c/.env'));
      expect(after.dirs).toContain(path.join(root, 'a/.ssh'));
      // Restoring the old mtime after a change does not fool it (ctime still moves).
      writeFileSync(path.join(root, 'a/b/c/x.pem'), 'x');
      utimesSync(path.join(root, 'a/b/c'), old, old);
      expect(cache.compute([root], deny).files).toContain(path.join(root, 'a/b/c/x.pem'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
