import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
