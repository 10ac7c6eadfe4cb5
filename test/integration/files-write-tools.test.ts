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

describe('write_file', () => {
  it('creates, overwrites and appends', async () => {
    expect(textOf(await s.call('write_file', { path: 'w.txt', content: 'first' }))).toBe(
      'Successfully wrote to w.txt',
    );
    await s.call('write_file', { path: at('w.txt'), content: 'second' });
    expect(readFileSync(at('w.txt'), 'utf8')).toBe('second');
    expect(
      textOf(await s.call('write_file', { path: 'w.txt', content: '+more', append: true })),
    ).toBe('Successfully appended to w.txt');
    expect(readFileSync(at('w.txt'), 'utf8')).toBe('second+more');
  });

  it('keeps the permission bits of a replaced file', async () => {
    writeFileSync(at('script.sh'), 'echo old', { mode: 0o755 });
    await s.call('write_file', { path: 'script.sh', content: 'echo new' });
    expect(statSync(at('script.sh')).mode & 0o777).toBe(0o755);
  });

  it('refuses content over maxWriteBytes, a missing parent and a directory target', async () => {
    const big = await s.call('write_file', { path: 'big.txt', content: 'x'.repeat(1001) });
    expect(textOf(big)).toMatch(/at most 1000 bytes/);
    expect(existsSync(at('big.txt'))).toBe(false);
    const orphan = await s.call('write_file', { path: 'no/such/dir/f.txt', content: 'x' });
    expect(orphan.isError).toBe(true);
    expect(textOf(orphan)).toMatch(/parent directory .* does not exist/);
    mkdirSync(at('adir'), { recursive: true });
    const dir = await s.call('write_file', { path: 'adir', content: 'x' });
    expect(textOf(dir)).toMatch(/directory/);
    expect(statSync(at('adir')).isDirectory()).toBe(true);
  });
});

describe('edit_file', () => {
  it('applies exact edits atomically and returns a unified diff', async () => {
    writeFileSync(at('e.ts'), 'const a = 1;\nconst b = 2;\n');
    const result = await s.call('edit_file', {
      path: 'e.ts',
      edits: [{ oldText: 'const b = 2;', newText: 'const b = 3;' }],
    });
    expect(textOf(result)).toMatch(/^```diff\n[\s\S]*-const b = 2;\n\+const b = 3;\n[\s\S]*```/);
    expect(readFileSync(at('e.ts'), 'utf8')).toBe('const a = 1;\nconst b = 3;\n');
  });

  it('dryRun previews without writing', async () => {
    writeFileSync(at('d.txt'), 'keep\n');
    const result = await s.call('edit_file', {
      path: 'd.txt',
      edits: [{ oldText: 'keep', newText: 'change' }],
      dryRun: true,
    });
    expect(textOf(result)).toContain('+change');
    expect(readFileSync(at('d.txt'), 'utf8')).toBe('keep\n');
  });

  it('matches line by line ignoring indentation, keeping the file indentation', async () => {
    writeFileSync(at('i.py'), 'def f():\n    x = 1\n    return x\n');
    await s.call('edit_file', {
      path: 'i.py',
      edits: [{ oldText: 'x = 1\nreturn x', newText: 'y = 2\nreturn y' }],
    });
    expect(readFileSync(at('i.py'), 'utf8')).toBe('def f():\n    y = 2\n    return y\n');
  });

  it('keeps CRLF line endings', async () => {
    writeFileSync(at('w.bat'), 'one\r\ntwo\r\n');
    await s.call('edit_file', {
      path: 'w.bat',
      edits: [{ oldText: 'one\ntwo', newText: 'uno\ndos' }],
    });
    expect(readFileSync(at('w.bat'), 'utf8')).toBe('uno\r\ndos\r\n');
  });

  it('refuses ambiguous, missing and empty oldText and then writes nothing', async () => {
    writeFileSync(at('amb.txt'), 'x\nx\ny\n');
    const ambiguous = await s.call('edit_file', {
      path: 'amb.txt',
      edits: [
        { oldText: 'y', newText: 'z' },
        { oldText: 'x', newText: 'w' },
      ],
    });
    expect(textOf(ambiguous)).toMatch(/edits\[1\].*matches several places; expected exactly one/);
    const missing = await s.call('edit_file', {
      path: 'amb.txt',
      edits: [{ oldText: 'nope', newText: 'z' }],
    });
    expect(textOf(missing)).toMatch(/edits\[0\].*was not found/);
    const empty = await s.call('edit_file', {
      path: 'amb.txt',
      edits: [{ oldText: '', newText: 'z' }],
    });
    expect(textOf(empty)).toMatch(/non-empty/);
    expect(readFileSync(at('amb.txt'), 'utf8')).toBe('x\nx\ny\n');
  });
});

describe('create_directory', () => {
  it('creates nested directories and succeeds when they exist', async () => {
    expect(textOf(await s.call('create_directory', { path: 'p/q/r' }))).toBe(
      'Successfully created directory p/q/r',
    );
    expect(statSync(at('p/q/r')).isDirectory()).toBe(true);
    expect((await s.call('create_directory', { path: 'p/q/r' })).isError).toBeFalsy();
  });

  it('refuses when a file is in the way', async () => {
    writeFileSync(at('blocker'), 'x');
    const result = await s.call('create_directory', { path: 'blocker/sub' });
    expect(result.isError).toBe(true);
    expect(statSync(at('blocker')).isFile()).toBe(true);
  });
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
