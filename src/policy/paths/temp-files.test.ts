import { describe, expect, it } from 'vitest';
import {
  bastionTempName,
  hasBastionTempSegment,
  isBastionTempName,
  isStaleTemp,
  STALE_TEMP_AGE_MS,
} from './temp-files.js';

const NOW = 1_700_000_000_000;
const FRESH = NOW - 1000;
const OLD = NOW - STALE_TEMP_AGE_MS - 1000;

describe('Bastion temp names', () => {
  it('names made here match, with long and unusual target names', () => {
    for (const name of ['a.txt', 'x'.repeat(250), 'é'.repeat(120), 'with space.md', '.hidden']) {
      const temp = bastionTempName(name);
      expect(isBastionTempName(temp), temp).toBe(true);
      expect(Buffer.byteLength(temp)).toBeLessThanOrEqual(255);
    }
    expect(bastionTempName('a')).not.toBe(bastionTempName('a'));
  });

  it.each([
    ['.a.txt.bastion-0123456789abcdef.tmp', true],
    ['.a.bastion-0123abcd-42-deadbeef-0123456789abcdef.tmp', true],
    ['a.txt.bastion-0123456789abcdef.tmp', false],
    ['.a.txt.bastion-0123456789ABCDEF.tmp', false],
    ['.a.txt.bastion-0123456789abcdef.tmp.bak', false],
    ['.a.txt.bastion-draft.tmp', false],
    ['.a.bastion-0123abcd-0-deadbeef-0123456789abcdef.tmp', false],
    ['.a.bastion-0123abcd-42-deadbeef-0123456789abcde.tmp', false],
    ['notes.tmp', false],
  ])('%s -> %s', (name, expected) => {
    expect(isBastionTempName(name)).toBe(expected);
  });

  it('finds a temp component in a relative path', () => {
    expect(hasBastionTempSegment(`out/${bastionTempName('copy')}/f.txt`)).toBe(true);
    expect(hasBastionTempSegment('out/copy/f.bastion-x.tmp')).toBe(false);
  });
});

describe('isStaleTemp', () => {
  it('never judges a temp of this very process stale, however old', () => {
    expect(isStaleTemp(bastionTempName('a'), OLD, NOW)).toBe(false);
  });

  it('judges an earlier process with the same pid (a restarted container) stale at once', () => {
    const ours = bastionTempName('a');
    const earlier = ours.replace(/-([0-9a-f]{8})-([0-9a-f]{16})\.tmp$/, '-00000000-$2.tmp');
    expect(earlier).not.toBe(ours);
    expect(isStaleTemp(earlier, FRESH, NOW)).toBe(true);
  });

  it('waits STALE_TEMP_AGE_MS for writers it cannot check (other hosts, legacy names)', () => {
    const otherHost = '.a.bastion-ffffffff-1-deadbeef-0123456789abcdef.tmp';
    for (const name of [otherHost, '.a.bastion-0123456789abcdef.tmp']) {
      expect(isStaleTemp(name, FRESH, NOW), name).toBe(false);
      expect(isStaleTemp(name, OLD, NOW), name).toBe(true);
    }
  });

  it('never judges a look-alike user file stale', () => {
    expect(isStaleTemp('.a.txt.bastion-draft.tmp', OLD, NOW)).toBe(false);
  });
});
