import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attack,
  createCanaryWorld,
  expectNoLeak,
  isRefused,
  pathAttacks,
  type CanaryWorld,
} from './files-canary.js';

let w: CanaryWorld;
let before: Record<string, string>;

beforeAll(async () => {
  w = await createCanaryWorld();
  before = w.outsideSnapshot();
});

afterAll(async () => {
  await w.close();
});

// Every attack: refused, no secret in the answer, nothing outside changed, ok.txt still there.
async function expectConfined(target: string, typed = target): Promise<void> {
  for (const [tool, args] of pathAttacks(target)) {
    const result = await attack(w, tool, args);
    expect(isRefused(tool, result), `${tool} ${JSON.stringify(args)}`).toBe(true);
    expectNoLeak(w, result, typed);
  }
  expect(w.outsideSnapshot()).toEqual(before);
  expect(readFileSync(path.join(w.root, 'ok.txt'), 'utf8')).toBe('hello\n');
}

describe('path spellings that leave the root', () => {
  it.each([
    '../outside/secret.txt',
    '../../outside/secret.txt',
    'sub/../../outside/secret.txt',
    './../outside/secret.txt',
    '..//outside//secret.txt',
    '../secret.txt',
    '../outside',
    '..',
  ])('[FS-TRAV-01] relative traversal %s is refused by every tool', async (spelling) => {
    await expectConfined(spelling);
  });

  it('[FS-TRAV-02] absolute paths and file:// URIs outside the roots are refused by every tool', async () => {
    await expectConfined(path.join(w.outside, 'secret.txt'));
    await expectConfined(`${w.root}/../outside/secret.txt`);
    await expectConfined(`file://${w.outside}/secret.txt`);
    await expectConfined('/etc/passwd');
    await expectConfined(w.outside);
  });

  it('[FS-TRAV-03] the prefix sibling root-evil is outside', async () => {
    await expectConfined(path.join(w.sibling, 'secret.txt'));
    await expectConfined('../root-evil/secret.txt');
    await expectConfined(w.sibling);
  });

  it('[FS-TRAV-04] ~ is never expanded to the server home', async () => {
    for (const spelling of ['~', '~/secret.txt', '~root/.bashrc']) {
      for (const [tool, args] of pathAttacks(spelling)) {
        const result = await attack(w, tool, args);
        expect(isRefused(tool, result), `${tool} ${spelling}`).toBe(true);
        expectNoLeak(w, result);
      }
    }
    expect(existsSync(path.join(w.root, '~'))).toBe(false);
  });

  it('[FS-TRAV-05] a NUL byte never reaches a syscall', async () => {
    await expectConfined('ok.txt\0/../../outside/secret.txt');
    const result = await attack(w, 'write_file', { path: 'new.txt\0.sh', content: 'x' });
    expect(result.isError).toBe(true);
    expect(existsSync(path.join(w.root, 'new.txt'))).toBe(false);
  });

  it('[FS-DOS-01] a huge path is refused before any work; bounded arrays are enforced', async () => {
    const huge = `${'a/'.repeat(50_000)}x`;
    for (const [tool, args] of pathAttacks(huge)) {
      const result = await attack(w, tool, args);
      expect(isRefused(tool, result), tool).toBe(true);
      expect(JSON.stringify(result).length).toBeLessThan(2000);
    }
    const many = await attack(w, 'read_multiple_files', {
      paths: Array.from({ length: 1000 }, () => 'ok.txt'),
    });
    expect(many.isError).toBe(true);
  });
});
