import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDenyMasks, listPrivateEntries } from './deny-masks.js';

describe('computeDenyMasks (real temp dirs)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'bastion-masks-'));
    for (const dir of ['a/b', 'a/.ssh/keys', 'node_modules/x', 'secrets']) mkdirSync(path.join(root, dir), { recursive: true });
    for (const file of ['.env', 'a/b/.env.local', 'a/b/cert.pem', 'a/.ssh/keys/id', 'a/readme.md', 'node_modules/x/test.pem', 'secrets/x.txt']) {
      writeFileSync(path.join(root, file), 'x');
    }
    symlinkSync('/etc/passwd', path.join(root, 'a/link.pem'));
    writeFileSync(path.join(root, 'private.txt'), 'x', { mode: 0o600 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists matching files and whole denied dirs, skipping symlinks', () => {
    const masks = computeDenyMasks([root], ['**/.env', '**/.env.*', '**/*.pem', '**/.ssh/**']);
    expect(masks.files.sort()).toEqual(
      ['.env', 'a/b/.env.local', 'a/b/cert.pem', 'node_modules/x/test.pem'].map((f) => path.join(root, f)).sort(),
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
