import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../integration/files-harness.js';
import {
  attack,
  createCanaryWorld,
  expectNoLeak,
  isRefused,
  pathAttacks,
  type CanaryWorld,
} from './files-canary.js';

let w: CanaryWorld;
const at = (...parts: string[]): string => path.join(w.root, ...parts);

beforeAll(async () => {
  w = await createCanaryWorld();
  symlinkSync(path.join(w.outside, 'secret.txt'), at('link-file'));
  symlinkSync(w.outside, at('link-dir'));
  symlinkSync('chain-b', at('chain-a'));
  symlinkSync('link-dir/secret.txt', at('chain-b'));
  symlinkSync(path.join(w.outside, 'created-by-attack.txt'), at('dangling'));
  symlinkSync(path.join(w.outside, 'newdir'), at('dangling-dir'));
  symlinkSync('../outside/secret.txt', at('relative-link'));
  mkdirSync(at('inner'));
  writeFileSync(at('inner', 'inside.txt'), 'inside\n');
  symlinkSync('inner', at('inner-link'));
  symlinkSync(w.outside, at('inner', 'deep-out'));
});

afterAll(async () => {
  await w.close();
});

// Attacks through `target`, except acting on the link itself (delete/move it), which is allowed.
async function expectRefusedThrough(target: string): Promise<void> {
  const before = w.outsideSnapshot();
  for (const [tool, args] of pathAttacks(target)) {
    if (tool === 'delete_path' || (tool === 'move_file' && args.source === target)) continue;
    const result = await attack(w, tool, args);
    expect(isRefused(tool, result), `${tool} ${JSON.stringify(args)} -> ${textOf(result)}`).toBe(
      true,
    );
    expectNoLeak(w, result);
  }
  expect(w.outsideSnapshot()).toEqual(before);
}

describe('symbolic links leading out of the root', () => {
  it('[FS-LINK-01] a file link to outside is refused by every read and write tool', async () => {
    await expectRefusedThrough('link-file');
    await expectRefusedThrough('relative-link');
  });

  it('[FS-LINK-02] a directory link to outside is not read or listed through', async () => {
    await expectRefusedThrough('link-dir');
    await expectRefusedThrough('link-dir/secret.txt');
    await expectRefusedThrough('inner/deep-out/secret.txt');
  });

  it('[FS-LINK-03] a chain of links ending outside is refused', async () => {
    await expectRefusedThrough('chain-a');
  });

  it('[FS-LINK-04] writes through a dangling link to outside never create the outside file', async () => {
    await expectRefusedThrough('dangling');
    await expectRefusedThrough('dangling-dir/x.txt');
    for (const [tool, args] of [
      ['write_file', { path: 'dangling', content: 'x' }],
      ['copy_file', { source: 'ok.txt', destination: 'dangling' }],
      ['copy_file', { source: 'ok.txt', destination: 'dangling', overwrite: true }],
      ['move_file', { source: 'ok.txt', destination: 'dangling' }],
      ['create_directory', { path: 'dangling-dir' }],
      ['create_directory', { path: 'dangling-dir/sub' }],
    ] as const) {
      expect((await attack(w, tool, args)).isError, tool).toBe(true);
    }
    expect(existsSync(path.join(w.outside, 'created-by-attack.txt'))).toBe(false);
    expect(existsSync(path.join(w.outside, 'newdir'))).toBe(false);
    expect(readFileSync(at('ok.txt'), 'utf8')).toBe('hello\n');
  });

  it('[FS-LINK-05] writes, mkdir and copies into a linked directory stay out of the outside', async () => {
    const before = w.outsideSnapshot();
    for (const [tool, args] of [
      ['write_file', { path: 'link-dir/new.txt', content: 'x' }],
      ['create_directory', { path: 'link-dir/newdir/deeper' }],
      ['copy_file', { source: 'ok.txt', destination: 'link-dir/copy.txt' }],
      ['move_file', { source: 'ok.txt', destination: 'link-dir/moved.txt' }],
      ['copy_file', { source: 'inner', destination: 'link-dir/tree', recursive: true }],
    ] as const) {
      const result = await attack(w, tool, args);
      expect(result.isError, tool).toBe(true);
      expectNoLeak(w, result);
    }
    expect(w.outsideSnapshot()).toEqual(before);
  });

  it('[FS-LINK-06] move and copy act on links safely', async () => {
    const before = w.outsideSnapshot();
    symlinkSync(path.join(w.outside, 'secret.txt'), at('to-move'));
    const moved = await attack(w, 'move_file', {
      source: 'to-move',
      destination: 'inner/moved-link',
    });
    expect(moved.isError).toBeFalsy();
    expect(lstatSync(at('inner/moved-link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('inner/moved-link'))).toBe(path.join(w.outside, 'secret.txt'));
    const onto = await attack(w, 'move_file', { source: 'ok.txt', destination: 'link-file' });
    expect(textOf(onto)).toMatch(/already exists/);
    const copyOnto = await attack(w, 'copy_file', {
      source: 'ok.txt',
      destination: 'link-file',
      overwrite: true,
    });
    expect(copyOnto.isError).toBe(true);
    const tree = await attack(w, 'copy_file', {
      source: 'inner',
      destination: 'inner-copy',
      recursive: true,
    });
    expect(tree.isError).toBeFalsy();
    expect(existsSync(at('inner-copy/deep-out'))).toBe(false);
    expect(existsSync(at('inner-copy/moved-link'))).toBe(false);
    expect(readFileSync(at('inner-copy/inside.txt'), 'utf8')).toBe('inside\n');
    expect(w.outsideSnapshot()).toEqual(before);
  });

  it('[FS-LINK-07] searches, trees and listings never follow links out', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['search_files', { path: '.', pattern: '**' }],
      ['search_files', { path: '.', pattern: 'secret*' }],
      ['search_file_contents', { path: '.', pattern: 'CANARY' }],
      ['search_file_contents', { path: '.', pattern: 'CANARY', include: ['**'] }],
      ['directory_tree', { path: '.' }],
      ['list_directory', { path: '.' }],
      ['list_directory_with_sizes', { path: 'inner' }],
      ['list_directory', { path: 'inner-link' }],
    ];
    for (const [tool, args] of calls) {
      const result = await attack(w, tool, args);
      expect(result.isError, tool).toBeFalsy();
      expectNoLeak(w, result);
      expect(JSON.stringify(result), tool).not.toContain('secret.txt');
      expect(JSON.stringify(result), tool).not.toContain('secret.png');
    }
    const listing = await attack(w, 'list_directory', { path: '.' });
    expect(textOf(listing)).toContain('[LINK] link-dir');
  });

  it('[FS-LINK-08] delete_path deletes the link, never its target', async () => {
    const before = w.outsideSnapshot();
    symlinkSync(w.outside, at('del-dir-link'));
    symlinkSync(path.join(w.outside, 'secret.txt'), at('del-file-link'));
    mkdirSync(at('tree-with-link'));
    symlinkSync(w.outside, at('tree-with-link/out'));
    for (const target of ['del-dir-link', 'del-file-link', 'tree-with-link']) {
      const result = await attack(w, 'delete_path', { path: target, recursive: true });
      expect(result.isError, target).toBeFalsy();
      expect(existsSync(at(target))).toBe(false);
    }
    const through = await attack(w, 'delete_path', { path: 'link-dir/secret.txt' });
    expect(through.isError).toBe(true);
    expect(w.outsideSnapshot()).toEqual(before);
  });

  it('[FS-LEAK-01] refusals through links name only what the agent typed', async () => {
    for (const target of ['link-file', 'chain-a', 'link-dir/secret.txt']) {
      const result = await attack(w, 'read_text_file', { path: target });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(target);
      expectNoLeak(w, result);
      expect(textOf(result)).not.toContain(w.base);
    }
  });

  it('links that stay inside the root keep working', async () => {
    expect(textOf(await attack(w, 'read_text_file', { path: 'inner-link/inside.txt' }))).toBe(
      'inside\n',
    );
  });
});
