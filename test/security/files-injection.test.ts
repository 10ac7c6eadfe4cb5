import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../integration/files-harness.js';
import { attack, createCanaryWorld, expectNoLeak, type CanaryWorld } from './files-canary.js';

let w: CanaryWorld;

beforeAll(async () => {
  w = await createCanaryWorld();
});

afterAll(async () => {
  await w.close();
});

describe('search arguments are data, never options', () => {
  it('[FS-ARG-01] option-looking patterns and globs do not run commands or widen the search', async () => {
    const marker = path.join(w.outside, 'pwned-marker');
    const hostile = [
      { pattern: `--pre=/usr/bin/touch` },
      { pattern: 'x', include: [`--pre=/usr/bin/touch ${marker}`] },
      { pattern: 'x', exclude: ['--follow', `--pre=${marker}`] },
      { pattern: '-e', include: ['--no-config'] },
      { pattern: 'CANARY', include: ['../**', `${w.outside}/**`, '/**'] },
      { pattern: 'CANARY', literal: true, exclude: ['!**'] },
    ];
    for (const args of hostile) {
      const result = await attack(w, 'search_file_contents', { path: '.', ...args });
      expectNoLeak(w, result);
      expect(textOf(result)).not.toContain('secret.txt');
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(w.root, 'pwned-marker'))).toBe(false);
    const files = await attack(w, 'search_files', { path: '.', pattern: '../**' });
    expectNoLeak(w, files);
    expect(textOf(files)).toBe('No matches found');
  });

  it('searches one file when given a file path', async () => {
    const result = await attack(w, 'search_file_contents', { path: 'ok.txt', pattern: 'hel+o' });
    expect(textOf(result)).toBe(`${path.join(w.root, 'ok.txt')}:1:hello`);
  });
});
