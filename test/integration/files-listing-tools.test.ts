import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startInProcess, textOf, type InProcessServer } from './files-harness.js';

let root: string;
let s: InProcessServer;
const at = (...parts: string[]): string => path.join(root, ...parts);

beforeAll(async () => {
  root = makeTempDir();
  mkdirSync(at('src/lib'), { recursive: true });
  mkdirSync(at('node_modules/pkg'), { recursive: true });
  mkdirSync(at('many'));
  writeFileSync(at('README.md'), '# readme\nhello world\n');
  writeFileSync(at('src/a.ts'), 'export const a = 1;\n// TODO first\n');
  writeFileSync(at('src/lib/b.ts'), 'line1\nline2\nTODO second\nline4\nline5\n');
  writeFileSync(
    at('src/lib/big.bin'),
    Buffer.concat([Buffer.from('TODO'), Buffer.alloc(100), Buffer.from('TODO')]),
  );
  writeFileSync(at('node_modules/pkg/index.ts'), 'TODO in deps\n');
  writeFileSync(at('.gitignore'), 'src/\n');
  writeFileSync(at('.hidden.ts'), '// TODO hidden\n');
  symlinkSync('src', at('srclink'));
  for (let i = 0; i < 30; i += 1)
    writeFileSync(at('many', `f${String(i).padStart(2, '0')}.txt`), `n${i}`);
  writeFileSync(Buffer.from(`${at('many')}/bad-\xff.txt`, 'latin1'), 'x');
  s = await startInProcess({
    roots: [root],
    limits: { maxListEntries: 10, maxTreeEntries: 8, maxSearchResults: 5 },
  });
});

afterAll(async () => {
  await s.close();
  rmSync(root, { recursive: true, force: true });
});

describe('list_directory', () => {
  it('lists [FILE]/[DIR]/[LINK] entries sorted, with structured content', async () => {
    const result = await s.call('list_directory', { path: root });
    expect(textOf(result)).toBe(
      [
        '[FILE] .gitignore',
        '[FILE] .hidden.ts',
        '[FILE] README.md',
        '[DIR] many',
        '[DIR] node_modules',
        '[DIR] src',
        '[LINK] srclink',
      ].join('\n'),
    );
    expect(result.structuredContent).toEqual({
      path: root,
      files: ['.gitignore', '.hidden.ts', 'README.md'],
      directories: ['many', 'node_modules', 'src'],
      symlinks: ['srclink'],
      total: 7,
      offset: 0,
      truncated: false,
    });
  });

  it('pages at maxListEntries with offset to continue', async () => {
    const first = await s.call('list_directory', { path: 'many' });
    expect(first.structuredContent).toMatchObject({ total: 31, truncated: true, nextOffset: 10 });
    expect(textOf(first)).toContain('offset=10');
    const last = await s.call('list_directory', { path: 'many', offset: 30 });
    expect(last.structuredContent).toMatchObject({
      truncated: false,
      files: ['f29.txt'],
      directories: [],
      symlinks: [],
    });
    const small = await s.call('list_directory', { path: 'many', limit: 2, offset: 3 });
    expect(textOf(small).split('\n').slice(0, 2)).toEqual(['[FILE] f02.txt', '[FILE] f03.txt']); // 'bad-…' sorts first
  });

  it('lists non-UTF-8 names without crashing', async () => {
    const result = await s.call('list_directory', { path: 'many', offset: 0, limit: 1 });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { files: string[] }).files[0]).toMatch(/^bad-/);
  });

  it('refuses a file where a directory is expected, and a missing path', async () => {
    expect(textOf(await s.call('list_directory', { path: 'README.md' }))).toMatch(
      /Expected a directory/,
    );
    expect(textOf(await s.call('list_directory', { path: 'nope' }))).toMatch(/No such file/);
  });
});

describe('list_directory_with_sizes', () => {
  it('shows sizes and totals like the official server, sortable by size', async () => {
    const result = await s.call('list_directory_with_sizes', { path: 'src/lib', sortBy: 'size' });
    const text = textOf(result);
    expect(text.split('\n')[0]).toMatch(/^\[FILE\] big\.bin\s+108 B$/);
    expect(text).toContain('Total: 2 files, 0 directories');
    expect(text).toContain('Combined size: 144 B');
  });
});

describe('directory_tree', () => {
  it('builds a JSON tree, excluding patterns, links as leaves', async () => {
    const result = await s.call('directory_tree', { path: 'src', excludePatterns: ['big.bin'] });
    expect(JSON.parse(textOf(result))).toEqual([
      { name: 'a.ts', type: 'file' },
      { name: 'lib', type: 'directory', children: [{ name: 'b.ts', type: 'file' }] },
    ]);
  });

  it('caps at maxTreeEntries with truncated: true', async () => {
    const result = await s.call('directory_tree', { path: root, excludePatterns: ['many'] });
    const tree = result.structuredContent as { entries: number; truncated: boolean };
    expect(tree).toMatchObject({ entries: 8, truncated: true });
    const link = (
      tree as unknown as { tree: { name: string; type: string; children?: unknown }[] }
    ).tree.find((n) => n.name === 'srclink');
    expect(link).toEqual({ name: 'srclink', type: 'symlink' });
  });

  it('respects maxDepth', async () => {
    const result = await s.call('directory_tree', { path: 'src', maxDepth: 1 });
    expect(result.structuredContent).toMatchObject({
      tree: [{ name: 'a.ts' }, { name: 'lib', children: [] }],
    });
  });
});

describe('search_files', () => {
  it('matches names at any depth without a slash, relative paths with one', async () => {
    const byName = await s.call('search_files', {
      path: root,
      pattern: '*.ts',
      excludePatterns: ['node_modules'],
    });
    expect((byName.structuredContent as { matches: string[] }).matches.sort()).toEqual([
      at('.hidden.ts'),
      at('src/a.ts'),
      at('src/lib/b.ts'),
    ]);
    const byPath = await s.call('search_files', { path: root, pattern: 'src/**/*.ts' });
    expect(textOf(byPath).split('\n').sort()).toEqual([at('src/a.ts'), at('src/lib/b.ts')]);
    expect(textOf(await s.call('search_files', { path: root, pattern: '*.nothing' }))).toBe(
      'No matches found',
    );
  });

  it('pages at maxSearchResults', async () => {
    const first = await s.call('search_files', { path: 'many', pattern: 'f*.txt' });
    expect(first.structuredContent).toMatchObject({ truncated: true, nextOffset: 5 });
    const rest = await s.call('search_files', { path: 'many', pattern: 'f*.txt', offset: 25 });
    expect(rest.structuredContent).toMatchObject({
      truncated: false,
      matches: [
        at('many/f25.txt'),
        at('many/f26.txt'),
        at('many/f27.txt'),
        at('many/f28.txt'),
        at('many/f29.txt'),
      ],
    });
  });
});

describe('search_file_contents', () => {
  it('finds text regardless of .gitignore, skipping binary files, with context', async () => {
    const result = await s.call('search_file_contents', {
      path: root,
      pattern: 'TODO \\w+',
      exclude: ['node_modules/**'],
      contextLines: 1,
    });
    const matches = (
      result.structuredContent as {
        matches: { path: string; line: number; text: string; before?: string[] }[];
      }
    ).matches;
    expect(matches.map((m) => `${path.relative(root, m.path)}:${m.line}`)).toEqual([
      '.hidden.ts:1',
      'src/a.ts:2',
      'src/lib/b.ts:3',
    ]);
    expect(matches[2]).toMatchObject({ text: 'TODO second', before: ['line2'], after: ['line4'] });
    expect(textOf(result)).toContain(`${at('src/lib/b.ts')}:3:TODO second`);
  });

  it('supports literal, case-insensitive and include globs', async () => {
    const literal = await s.call('search_file_contents', {
      path: root,
      pattern: 'a = 1;',
      literal: true,
    });
    expect(textOf(literal)).toContain('src/a.ts:1:export const a = 1;');
    const caseless = await s.call('search_file_contents', {
      path: root,
      pattern: 'HELLO',
      ignoreCase: true,
      include: ['*.md'],
    });
    expect(textOf(caseless)).toBe(`${at('README.md')}:2:hello world`);
  });

  it('pages at maxSearchResults and reports bad regexes clearly', async () => {
    const paged = await s.call('search_file_contents', {
      path: 'many',
      pattern: 'n',
      maxResults: 3,
    });
    expect(paged.structuredContent).toMatchObject({ truncated: true, nextOffset: 3 });
    const bad = await s.call('search_file_contents', { path: root, pattern: '(unclosed' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/Expected a valid search pattern/);
    expect(textOf(bad)).not.toContain(root);
  });
});

describe('search_file_contents without ripgrep', () => {
  it('says clearly that rg is missing and what to use instead', async () => {
    const noRg = await startInProcess({ roots: [root], ripgrep: null });
    try {
      const result = await noRg.call('search_file_contents', { path: '.', pattern: 'TODO' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/ripgrep \(rg\), which is not installed.*search_files/);
    } finally {
      await noRg.close();
    }
  });
});

describe('list_allowed_directories', () => {
  it('lists the effective roots', async () => {
    const result = await s.call('list_allowed_directories');
    expect(textOf(result)).toBe(`Allowed directories:\n${root}`);
    expect(result.structuredContent).toEqual({ roots: [{ path: root, mode: 'read-write' }] });
  });
});

describe('tool definitions', () => {
  it('every tool declares all four hints and the openWorldHint is false', async () => {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'copy_file',
      'create_directory',
      'delete_path',
      'directory_tree',
      'edit_file',
      'get_file_info',
      'list_allowed_directories',
      'list_changes',
      'list_directory',
      'list_directory_with_sizes',
      'move_file',
      'read_media_file',
      'read_multiple_files',
      'read_text_file',
      'search_file_contents',
      'search_files',
      'undo_change',
      'write_file',
    ]);
    for (const tool of tools) {
      expect(tool.annotations, tool.name).toMatchObject({ openWorldHint: false });
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint'] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe('boolean');
      }
    }
  });
});
