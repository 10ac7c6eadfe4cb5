import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
    ['1s', 1000],
    ['36500d', 36_500 * 86_400_000],
  ])('%s -> %d ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each([
    '',
    '30',
    'd',
    '0d',
    '05m',
    '1.5h',
    '-1d',
    '30D',
    '30 d',
    ' 30d',
    '30d ',
    '1w',
    '1e3s',
    '30dd',
    'h12',
  ])('rejects %j with the expected forms', (raw) => {
    expect(() => parseDuration(raw)).toThrow(
      `expected a number followed by s, m, h or d (such as 30d, 12h, 15m, 90s), got ${JSON.stringify(raw)}`,
    );
  });

  it('rejects lifetimes beyond a hundred years', () => {
    expect(() => parseDuration('36501d')).toThrow(
      'expected a duration of at most 36500d, got "36501d"',
    );
    expect(() => parseDuration('99999999d')).toThrow('at most 36500d');
  });
});
