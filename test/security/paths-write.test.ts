import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemError, LimitExceededError } from '../../src/errors/index.js';
import { createPathsFixture, type PathsFixture } from './paths-fixture.js';
import { createPathGuard, isBastionTempName } from '../../src/policy/paths/index.js';

let fx: PathsFixture;
beforeAll(() => {
  fx = createPathsFixture({ maxWriteBytes: 64 });
});
afterAll(() => fx.cleanup());

function tempFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.bastion-'));
}

describe('writeFileAtomic', () => {
  it('creates a new file with the content and leaves no temp file', async () => {
    const result = await fx.guard.writeFileAtomic('new.txt', 'fresh');
    expect(result).toEqual({ path: path.join(fx.root, 'new.txt'), bytesWritten: 5, created: true });
    expect(readFileSync(path.join(fx.root, 'new.txt'), 'utf8')).toBe('fresh');
    expect(tempFilesIn(fx.root)).toEqual([]);
  });

  it('overwrites, keeps the permission bits, and counts bytes of multi-byte text', async () => {
    const target = path.join(fx.root, 'a/mode.txt');
    writeFileSync(target, 'old content');
    chmodSync(target, 0o640);
    const result = await fx.guard.writeFileAtomic('a/mode.txt', 'né');
    expect(result).toMatchObject({ bytesWritten: 3, created: false });
    expect(readFileSync(target, 'utf8')).toBe('né');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(tempFilesIn(path.dirname(target))).toEqual([]);
  });

  it('writes bytes from a Uint8Array', async () => {
    await fx.guard.writeFileAtomic('bytes.bin', new Uint8Array([0, 1, 2, 255]));
    expect([...readFileSync(path.join(fx.root, 'bytes.bin'))]).toEqual([0, 1, 2, 255]);
  });

  it("mode 'create' refuses an existing file and leaves it untouched", async () => {
    await expect(
      fx.guard.writeFileAtomic('hello.txt', 'clobber', { mode: 'create' }),
    ).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(readFileSync(path.join(fx.root, 'hello.txt'), 'utf8')).toBe('hello');
    const created = await fx.guard.writeFileAtomic('a/created.txt', 'c', { mode: 'create' });
    expect(created.created).toBe(true);
    expect(readFileSync(path.join(fx.root, 'a/created.txt'), 'utf8')).toBe('c');
    expect(tempFilesIn(path.join(fx.root, 'a'))).toEqual([]);
  });

  it("mode 'append' appends to an existing file and creates a missing one", async () => {
    writeFileSync(path.join(fx.root, 'log.txt'), 'one\n');
    const result = await fx.guard.writeFileAtomic('log.txt', 'two\n', { mode: 'append' });
    expect(result).toMatchObject({ bytesWritten: 4, created: false });
    expect(readFileSync(path.join(fx.root, 'log.txt'), 'utf8')).toBe('one\ntwo\n');
    await fx.guard.writeFileAtomic('fresh-log.txt', 'first', { mode: 'append' });
    expect(readFileSync(path.join(fx.root, 'fresh-log.txt'), 'utf8')).toBe('first');
  });

  it('writes through a link that stays inside the root to its target, keeping the link', async () => {
    writeFileSync(path.join(fx.root, 'a/target.txt'), 'before');
    symlinkSync('a/target.txt', path.join(fx.root, 'inner-link'));
    const result = await fx.guard.writeFileAtomic('inner-link', 'after');
    expect(result.path).toBe(path.join(fx.root, 'a/target.txt'));
    expect(readFileSync(path.join(fx.root, 'a/target.txt'), 'utf8')).toBe('after');
    expect(lstatSync(path.join(fx.root, 'inner-link')).isSymbolicLink()).toBe(true);
  });

  it('[PATH-WRITE-02] refuses data over maxWriteBytes before touching the disk', async () => {
    await expect(fx.guard.writeFileAtomic('big.txt', 'x'.repeat(65))).rejects.toBeInstanceOf(
      LimitExceededError,
    );
    expect(existsSync(path.join(fx.root, 'big.txt'))).toBe(false);
  });

  it('[PATH-WRITE-01] a failure after the temp file exists (append over the limit) removes it and keeps the old content', async () => {
    writeFileSync(path.join(fx.root, 'a/full.txt'), 'y'.repeat(60));
    await expect(
      fx.guard.writeFileAtomic('a/full.txt', 'z'.repeat(10), { mode: 'append' }),
    ).rejects.toBeInstanceOf(LimitExceededError);
    expect(readFileSync(path.join(fx.root, 'a/full.txt'), 'utf8')).toBe('y'.repeat(60));
    expect(tempFilesIn(path.join(fx.root, 'a'))).toEqual([]);
  });

  it('[PATH-WRITE-01] refuses a directory target and a missing parent with clear errors and no temp files', async () => {
    await expect(fx.guard.writeFileAtomic('a/b', 'x')).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(fx.guard.writeFileAtomic('.', 'x')).rejects.toMatchObject({ code: 'EISDIR' });
    const missing = fx.guard.writeFileAtomic('no/such/dir/f.txt', 'x');
    await expect(missing).rejects.toBeInstanceOf(FileSystemError);
    await expect(missing).rejects.toThrow(
      /parent directory of "no\/such\/dir\/f.txt" does not exist/,
    );
    expect(tempFilesIn(path.join(fx.root, 'a/b'))).toEqual([]);
    expect(tempFilesIn(fx.root)).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)(
    '[PATH-WRITE-01] a write into a directory without write permission fails cleanly (skipped as root: root bypasses modes)',
    async () => {
      const dir = path.join(fx.root, 'locked');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'f.txt'), 'kept');
      chmodSync(dir, 0o555);
      try {
        await expect(fx.guard.writeFileAtomic('locked/f.txt', 'new')).rejects.toMatchObject({
          code: 'EACCES',
        });
        expect(readFileSync(path.join(dir, 'f.txt'), 'utf8')).toBe('kept');
        expect(tempFilesIn(dir)).toEqual([]);
      } finally {
        chmodSync(dir, 0o755);
      }
    },
  );

  it.skipIf(process.getuid?.() !== 0)(
    '[PATH-WRITE-01] as root: a write into a read-only mounted directory fails cleanly (EROFS), file kept',
    async () => {
      const dir = path.join(fx.root, 'ro-mount');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'f.txt'), 'kept');
      // Root bypasses permission bits, so the refusal comes from a read-only bind mount instead.
      expect(spawnSync('mount', ['--bind', dir, dir]).status).toBe(0);
      try {
        expect(spawnSync('mount', ['-o', 'remount,bind,ro', dir]).status).toBe(0);
        await expect(fx.guard.writeFileAtomic('ro-mount/f.txt', 'new')).rejects.toMatchObject({
          code: 'EROFS',
        });
        expect(readFileSync(path.join(dir, 'f.txt'), 'utf8')).toBe('kept');
        expect(tempFilesIn(dir)).toEqual([]);
      } finally {
        spawnSync('umount', [dir]);
      }
    },
  );

  it('[PATH-DENY-01] refuses to write a denied name, even through an innocent link', async () => {
    await expect(fx.guard.writeFileAtomic('.env', 'x')).rejects.toMatchObject({
      code: 'PATH_DENIED',
    });
    await expect(fx.guard.writeFileAtomic('innocent', 'x')).rejects.toMatchObject({
      code: 'PATH_DENIED',
    });
    expect(readFileSync(path.join(fx.root, '.env'), 'utf8')).toBe(fx.secret);
  });
});

describe('writeFileAtomic concurrency and temp names', () => {
  it('[PATH-WRITE-01] concurrent appends through one guard are serialised: no line is lost', async () => {
    const guard = createPathGuard({
      ...fx.config,
      limits: { ...fx.config.limits, maxWriteBytes: 4096 },
    });
    const lines = Array.from({ length: 25 }, (_, i) => `line-${i}\n`);
    await Promise.all(
      lines.map((line) => guard.writeFileAtomic('concurrent.log', line, { mode: 'append' })),
    );
    const written = readFileSync(path.join(fx.root, 'concurrent.log'), 'utf8');
    expect(written.split('\n').filter(Boolean).sort()).toEqual(lines.map((l) => l.trim()).sort());
    expect(tempFilesIn(fx.root)).toEqual([]);
  });

  it('recognises its own temp names, including for very long names', async () => {
    expect(isBastionTempName('.notes.txt.bastion-0123456789abcdef.tmp')).toBe(true);
    expect(isBastionTempName('notes.txt')).toBe(false);
    expect(isBastionTempName('.x.bastion-zz.tmp')).toBe(false);
    const longName = `${'n'.repeat(240)}.txt`;
    await fx.guard.writeFileAtomic(longName, 'long');
    expect(readFileSync(path.join(fx.root, longName), 'utf8')).toBe('long');
  });
});
