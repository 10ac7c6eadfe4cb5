import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../integration/files-harness.js';
import {
  attack,
  createCanaryWorld,
  isRefused,
  pathAttacks,
  type CanaryWorld,
} from './files-canary.js';

const DENIED_SECRET = 'DENIED-SECRET-3f9a1c';

describe('deny rules', () => {
  let w: CanaryWorld;
  const at = (...parts: string[]): string => path.join(w.root, ...parts);
  const deniedFiles = ['.env', 'sub/.env.local', 'key.pem', '.ssh/id_rsa', 'sub/.ssh/config'];

  beforeAll(async () => {
    w = await createCanaryWorld();
    mkdirSync(at('sub/.ssh'), { recursive: true });
    mkdirSync(at('.ssh'));
    for (const file of deniedFiles) writeFileSync(at(file), `${DENIED_SECRET}\n`);
    writeFileSync(at('sub/plain.txt'), 'plain\n');
    symlinkSync('.env', at('innocent.txt'));
    symlinkSync('.ssh', at('keys'));
  });

  afterAll(async () => {
    await w.close();
  });

  const snapshot = (): string[] =>
    deniedFiles.map((f) => (existsSync(at(f)) ? readFileSync(at(f), 'utf8') : 'MISSING'));

  it('[FS-DENY-01] and [FS-DENY-02] secrets are neither read nor written by any tool', async () => {
    const before = snapshot();
    for (const file of [...deniedFiles, '.ssh', '.env.production', 'sub/.ssh/new_key']) {
      for (const [tool, args] of pathAttacks(file)) {
        const result = await attack(w, tool, args);
        expect(isRefused(tool, result), `${tool} ${JSON.stringify(args)}`).toBe(true);
        expect(JSON.stringify(result)).not.toContain(DENIED_SECRET);
      }
    }
    expect(snapshot()).toEqual(before);
    expect(existsSync(at('.env.production'))).toBe(false);
    expect(existsSync(at('sub/.ssh/new_key'))).toBe(false);
  });

  it('[FS-DENY-02] a directory holding a secret is not deleted, moved or copied with it', async () => {
    expect((await attack(w, 'delete_path', { path: 'sub', recursive: true })).isError).toBe(true);
    expect((await attack(w, 'move_file', { source: 'sub', destination: 'sub2' })).isError).toBe(
      true,
    );
    const copy = await attack(w, 'copy_file', {
      source: 'sub',
      destination: 'sub-copy',
      recursive: true,
    });
    expect(copy.isError).toBeFalsy();
    expect(readdirSync(at('sub-copy'))).toEqual(['plain.txt']);
    expect(snapshot()).not.toContain('MISSING');
  });

  it('[FS-DENY-03] denied entries are absent from listings, trees and searches', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['list_directory', { path: '.' }],
      ['list_directory_with_sizes', { path: 'sub' }],
      ['directory_tree', { path: '.' }],
      ['search_files', { path: '.', pattern: '**' }],
      ['search_files', { path: '.', pattern: '.env*' }],
      ['search_file_contents', { path: '.', pattern: DENIED_SECRET }],
      [
        'search_file_contents',
        {
          path: '.',
          pattern: 'DENIED',
          include: ['.env', '*.pem', '**/.ssh/**'],
          ignoreCase: true,
        },
      ],
    ];
    for (const [tool, args] of calls) {
      const result = await attack(w, tool, args);
      expect(result.isError, tool).toBeFalsy();
      const all = JSON.stringify(result);
      expect(all, tool).not.toContain(DENIED_SECRET);
      for (const name of ['.env"', '.env.local', 'key.pem', 'id_rsa', '.ssh'])
        expect(all, `${tool} ${name}`).not.toContain(name);
    }
  });

  it('[FS-DENY-04] innocent names linking to secrets are refused', async () => {
    for (const target of ['innocent.txt', 'keys/id_rsa', 'keys']) {
      for (const tool of ['read_text_file', 'read_multiple_files', 'list_directory', 'copy_file']) {
        const args =
          tool === 'read_multiple_files'
            ? { paths: [target] }
            : tool === 'copy_file'
              ? { source: target, destination: 'leak.txt' }
              : { path: target };
        const result = await attack(w, tool, args);
        expect(isRefused(tool, result), `${tool} ${target}`).toBe(true);
        expect(JSON.stringify(result)).not.toContain(DENIED_SECRET);
      }
    }
    expect(existsSync(at('leak.txt'))).toBe(false);
  });
});

describe('read-only roots, the roots themselves, special files', () => {
  let w: CanaryWorld;

  beforeAll(async () => {
    w = await createCanaryWorld({ readOnly: true });
    mkdirSync(path.join(w.root, 'dir'));
    writeFileSync(path.join(w.root, 'dir', 'f.txt'), 'f\n');
    execFileSync('mkfifo', [path.join(w.root, 'pipe')]);
  });

  afterAll(async () => {
    await w.close();
  });

  it('[FS-RO-01] every write tool is refused in a read-only root and nothing changes', async () => {
    const listing = (): string => JSON.stringify(readdirSync(w.root, { recursive: true }).sort());
    const before = listing();
    for (const [tool, args] of [
      ['write_file', { path: 'ok.txt', content: 'changed' }],
      ['write_file', { path: 'ok.txt', content: 'more', append: true }],
      ['write_file', { path: 'new.txt', content: 'new' }],
      ['edit_file', { path: 'ok.txt', edits: [{ oldText: 'hello', newText: 'bye' }] }],
      ['create_directory', { path: 'newdir' }],
      ['move_file', { source: 'ok.txt', destination: 'moved.txt' }],
      ['copy_file', { source: 'ok.txt', destination: 'copy.txt' }],
      ['copy_file', { source: 'dir', destination: 'dir2', recursive: true }],
      ['delete_path', { path: 'ok.txt' }],
      ['delete_path', { path: 'dir', recursive: true }],
    ] as const) {
      const result = await attack(w, tool, args);
      expect(result.isError, tool).toBe(true);
      expect(textOf(result), tool).toMatch(/read-only/);
    }
    expect(readFileSync(path.join(w.root, 'ok.txt'), 'utf8')).toBe('hello\n');
    expect(listing()).toBe(before);
    expect(textOf(await attack(w, 'read_text_file', { path: 'ok.txt' }))).toBe('hello\n');
  });

  it('[FS-ROOT-01] the root itself is never deleted or moved', async () => {
    for (const target of [
      w.root,
      '.',
      './',
      `${w.root}/`,
      `${w.root}/dir/..`,
      `file://${w.root}`,
      '/',
    ]) {
      const del = await attack(w, 'delete_path', { path: target, recursive: true });
      expect(del.isError, target).toBe(true);
      const move = await attack(w, 'move_file', { source: target, destination: 'elsewhere' });
      expect(move.isError, target).toBe(true);
    }
    expect(existsSync(path.join(w.root, 'ok.txt'))).toBe(true);
  });

  it('[FS-DOS-01] a FIFO is refused without hanging the server', async () => {
    for (const tool of ['read_text_file', 'read_media_file', 'edit_file', 'copy_file']) {
      const args =
        tool === 'copy_file'
          ? { source: 'pipe', destination: 'p2' }
          : tool === 'edit_file'
            ? { path: 'pipe', edits: [{ oldText: 'a', newText: 'b' }], dryRun: true }
            : { path: 'pipe' };
      const result = await attack(w, tool, args);
      expect(result.isError, tool).toBe(true);
    }
    const search = await attack(w, 'search_file_contents', { path: '.', pattern: 'x' });
    expect(search.isError).toBeFalsy();
  });
});
