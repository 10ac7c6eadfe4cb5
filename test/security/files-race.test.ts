import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, createCanaryWorld, expectNoLeak, type CanaryWorld } from './files-canary.js';

// Swaps root/d between the real directory and a symlink to the outside, as fast as it can, until
// killed (bounded by an iteration cap). Runs in its own process, so truly concurrently.
const SWAPPER = `
const fs = require('fs');
const [d, real, link] = process.argv.slice(1);
for (let i = 0; i < 5e6; i++) {
  try { fs.renameSync(d, real); fs.renameSync(link, d); fs.renameSync(d, link); fs.renameSync(real, d); } catch {}
}`;

const ROUNDS = 30;
let w: CanaryWorld;
let swapper: ChildProcess;

beforeAll(async () => {
  w = await createCanaryWorld();
  mkdirSync(path.join(w.root, 'd', 'sub'), { recursive: true });
  writeFileSync(path.join(w.root, 'd', 'sub', 'normal.txt'), 'normal CANARY-free line\n');
  mkdirSync(path.join(w.outside, 'sub'));
  writeFileSync(path.join(w.outside, 'sub', `leak-${w.secret}.txt`), `normal ${w.secret}\n`);
  writeFileSync(path.join(w.outside, 'sub', 'normal.txt'), `normal ${w.secret}\n`);
  const { symlinkSync } = await import('node:fs');
  symlinkSync(w.outside, path.join(w.root, 'd-link'));
  swapper = spawn(
    process.execPath,
    [
      '-e',
      SWAPPER,
      path.join(w.root, 'd'),
      path.join(w.root, 'd-real'),
      path.join(w.root, 'd-link'),
    ],
    {
      stdio: 'ignore',
    },
  );
});

afterAll(async () => {
  swapper.kill('SIGKILL');
  await w.close();
});

describe('directories swapped for links while tools run', () => {
  it('[FS-RACE-01] walks, listings, searches and reads never show what is outside', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['search_files', { path: '.', pattern: '**' }],
      ['directory_tree', { path: '.' }],
      ['list_directory', { path: 'd/sub' }],
      ['list_directory_with_sizes', { path: 'd/sub' }],
      ['search_file_contents', { path: '.', pattern: 'normal', contextLines: 1 }],
      ['search_file_contents', { path: 'd', pattern: 'normal' }],
      ['read_text_file', { path: 'd/sub/normal.txt' }],
      ['read_multiple_files', { paths: ['d/sub/normal.txt', 'd-real/sub/normal.txt'] }],
      ['get_file_info', { path: 'd/sub/normal.txt' }],
    ];
    let answered = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [tool, args] of calls) {
        const result = await attack(w, tool, args);
        expectNoLeak(w, result);
        if (!result.isError) answered += 1;
      }
    }
    expect(swapper.exitCode).toBeNull(); // the swapper was still racing at the end
    expect(answered).toBeGreaterThan(0);
  });
});
