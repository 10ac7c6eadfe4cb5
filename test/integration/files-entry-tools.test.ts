import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startInProcess, textOf, type InProcessServer } from './files-harness.js';

let root: string;
let s: InProcessServer;
const at = (...parts: string[]): string => path.join(root, ...parts);

beforeAll(async () => {
  root = makeTempDir();
  s = await startInProcess({ roots: [root], limits: { maxWriteBytes: 1000 } });
});

afterAll(async () => {
  await s.close();
  rmSync(root, { recursive: true, force: true });
});

describe('move_file', () => {
  it('renames files and directories', async () => {
    writeFileSync(at('m1.txt'), 'm');
    expect(textOf(await s.call('move_file', { source: 'm1.txt', destination: 'm2.txt' }))).toBe(
      'Successfully moved m1.txt to m2.txt',
    );
    expect(readFileSync(at('m2.txt'), 'utf8')).toBe('m');
    expect(existsSync(at('m1.txt'))).toBe(false);
    mkdirSync(at('md1/in'), { recursive: true });
    await s.call('move_file', { source: 'md1', destination: 'md2' });
    expect(statSync(at('md2/in')).isDirectory()).toBe(true);
  });

  it('refuses to overwrite an existing destination (file or directory)', async () => {
    writeFileSync(at('src.txt'), 'src');
    writeFileSync(at('dst.txt'), 'dst');
    const result = await s.call('move_file', { source: 'src.txt', destination: 'dst.txt' });
    expect(textOf(result)).toMatch(/Destination already exists/);
    expect(readFileSync(at('dst.txt'), 'utf8')).toBe('dst');
    expect(readFileSync(at('src.txt'), 'utf8')).toBe('src');
    mkdirSync(at('emptydir'));
    mkdirSync(at('movedir'));
    expect(
      (await s.call('move_file', { source: 'movedir', destination: 'emptydir' })).isError,
    ).toBe(true);
  });

  it('moves a symlink as a link, not its target', async () => {
    writeFileSync(at('target.txt'), 't');
    symlinkSync('target.txt', at('link1'));
    await s.call('move_file', { source: 'link1', destination: 'link2' });
    expect(lstatSync(at('link2')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('link2'))).toBe('target.txt');
    expect(readFileSync(at('target.txt'), 'utf8')).toBe('t');
  });

  it('refuses a missing source and moving a directory into itself', async () => {
    expect(textOf(await s.call('move_file', { source: 'ghost', destination: 'g2' }))).toMatch(
      /No such file/,
    );
    mkdirSync(at('self'));
    expect(
      textOf(await s.call('move_file', { source: 'self', destination: 'self/inner' })),
    ).toMatch(/into itself/);
  });
});

describe('copy_file', () => {
  it('copies a file, refusing to overwrite unless asked', async () => {
    writeFileSync(at('c1.txt'), 'copy me');
    await s.call('copy_file', { source: 'c1.txt', destination: 'c2.txt' });
    expect(readFileSync(at('c2.txt'), 'utf8')).toBe('copy me');
    writeFileSync(at('c1.txt'), 'v2');
    expect(textOf(await s.call('copy_file', { source: 'c1.txt', destination: 'c2.txt' }))).toMatch(
      /Already exists/,
    );
    expect(readFileSync(at('c2.txt'), 'utf8')).toBe('copy me');
    await s.call('copy_file', { source: 'c1.txt', destination: 'c2.txt', overwrite: true });
    expect(readFileSync(at('c2.txt'), 'utf8')).toBe('v2');
  });

  it('copies directories only with recursive: true, skipping links', async () => {
    mkdirSync(at('tree/a/b'), { recursive: true });
    writeFileSync(at('tree/a/b/f.txt'), 'deep');
    symlinkSync('a', at('tree/alink'));
    expect(textOf(await s.call('copy_file', { source: 'tree', destination: 'tree2' }))).toMatch(
      /recursive: true/,
    );
    const result = await s.call('copy_file', {
      source: 'tree',
      destination: 'tree2',
      recursive: true,
    });
    expect(textOf(result)).toMatch(/1 files, 3 directories \(1 symbolic links/);
    expect(readFileSync(at('tree2/a/b/f.txt'), 'utf8')).toBe('deep');
    expect(existsSync(at('tree2/alink'))).toBe(false);
    expect(
      textOf(
        await s.call('copy_file', { source: 'tree', destination: 'tree/inside', recursive: true }),
      ),
    ).toMatch(/into itself/);
  });
  it('refuses a tree over the write limit before copying anything', async () => {
    mkdirSync(at('heavy/sub'), { recursive: true });
    writeFileSync(at('heavy/a.txt'), 'a'.repeat(600));
    writeFileSync(at('heavy/sub/b.txt'), 'b'.repeat(600));
    const result = await s.call('copy_file', {
      source: 'heavy',
      destination: 'heavy-copy',
      recursive: true,
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'Expected at most 1000 bytes to copy, got 1200. Copy smaller parts.',
    );
    expect(existsSync(at('heavy-copy'))).toBe(false);
  });
});

describe('delete_path', () => {
  it('deletes files, and directories only with recursive: true', async () => {
    writeFileSync(at('del.txt'), 'x');
    expect(textOf(await s.call('delete_path', { path: 'del.txt' }))).toBe(
      'Successfully deleted del.txt',
    );
    expect(existsSync(at('del.txt'))).toBe(false);
    mkdirSync(at('deldir/x/y'), { recursive: true });
    writeFileSync(at('deldir/x/y/z.txt'), 'z');
    expect(textOf(await s.call('delete_path', { path: 'deldir' }))).toMatch(
      /expected recursive: true/,
    );
    expect(existsSync(at('deldir/x/y/z.txt'))).toBe(true);
    await s.call('delete_path', { path: 'deldir', recursive: true });
    expect(existsSync(at('deldir'))).toBe(false);
  });

  it('deletes a link, never its target', async () => {
    mkdirSync(at('keepdir'));
    writeFileSync(at('keepdir/k.txt'), 'k');
    symlinkSync('keepdir', at('dirlink'));
    await s.call('delete_path', { path: 'dirlink', recursive: true });
    expect(existsSync(at('dirlink'))).toBe(false);
    expect(readFileSync(at('keepdir/k.txt'), 'utf8')).toBe('k');
  });

  it('deletes directories holding non-UTF-8 names', async () => {
    mkdirSync(at('weird'));
    writeFileSync(
      Buffer.concat([Buffer.from(`${at('weird')}/`), Buffer.from([0x66, 0xff, 0xfe])]),
      'x',
    );
    await s.call('delete_path', { path: 'weird', recursive: true });
    expect(existsSync(at('weird'))).toBe(false);
  });

  it('reports a missing path', async () => {
    expect(textOf(await s.call('delete_path', { path: 'not-here' }))).toMatch(/No such file/);
  });
});

const shmIsOtherDevice = ((): boolean => {
  try {
    return statSync('/dev/shm').dev !== statSync(os.tmpdir()).dev;
  } catch {
    return false;
  }
})();

describe('move_file across file systems', () => {
  it.skipIf(!shmIsOtherDevice)(
    'refuses with a clear EXDEV message and keeps the source',
    async () => {
      const other = realpathSync(mkdtempSync('/dev/shm/bastion-xdev-'));
      const two = await startInProcess({ roots: [root, other] });
      try {
        writeFileSync(at('xdev.txt'), 'stay');
        const result = await two.call('move_file', {
          source: at('xdev.txt'),
          destination: path.join(other, 'x.txt'),
        });
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/across file systems.*copy_file.*delete_path/);
        expect(readFileSync(at('xdev.txt'), 'utf8')).toBe('stay');
        expect(existsSync(path.join(other, 'x.txt'))).toBe(false);
      } finally {
        await two.close();
        rmSync(other, { recursive: true, force: true });
      }
    },
  );
});
