import { execFileSync } from 'node:child_process';
import { lstatSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandDeniedError } from '../../errors/index.js';
import { hardLinksOf } from './exec-plan.js';

const IS_LINUX = process.platform === 'linux';
const IS_ROOT = process.getuid?.() === 0;
const TOUCH = '/usr/bin/touch';
// A program of this test's own (a copy), so its links change no other test's programs.
const made: string[] = [];
const place = (name: string, from: string, how: 'cp' | 'ln'): string => {
  const file = path.join('/usr/local/lib', `bastion-plan-test-${process.pid}-${name}`);
  execFileSync(how, ['-f', from, file]);
  made.push(file);
  return file;
};

describe.skipIf(!IS_LINUX)('the search for other names of a denied program', () => {
  afterEach(() => {
    for (const link of made.splice(0)) rmSync(link, { force: true });
  });

  it('refuses (and keeps nothing) when the search does not finish, instead of naming only some links', () => {
    // 1 ms: find cannot walk /usr in that time, as a busy or cold machine may not in the usual bound.
    const st = lstatSync(TOUCH);
    expect(() => hardLinksOf(TOUCH, st, 1)).toThrow(CommandDeniedError);
    expect(hardLinksOf(TOUCH, st)).toContain(TOUCH);
  });

  it.skipIf(!IS_ROOT)(
    'finds a link made on the host after an earlier search of the same program',
    () => {
      const program = place('program', TOUCH, 'cp');
      const first = place('a', program, 'ln');
      expect(hardLinksOf(program, lstatSync(program)).sort()).toEqual([program, first].sort());
      const second = place('b', program, 'ln');
      expect(hardLinksOf(program, lstatSync(program)).sort()).toEqual(
        [program, first, second].sort(),
      );
    },
  );
});
