import { describe, expect, it } from 'vitest';
import { summarizeArgs } from './summarize-args.js';

describe('summarizeArgs', () => {
  it('keeps short values and cuts long strings, wide objects, long arrays and deep nesting', () => {
    expect(summarizeArgs({ path: '/a', n: 3, ok: true, none: null })).toEqual({
      path: '/a',
      n: 3,
      ok: true,
      none: null,
    });
    expect(summarizeArgs('y'.repeat(200))).toBe(`${'y'.repeat(160)}… (200 chars)`);
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(summarizeArgs(wide) as object)).toHaveLength(13);
    expect(summarizeArgs(Array.from({ length: 10 }, (_, i) => i))).toEqual([
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      '… (10 items)',
    ]);
    expect(summarizeArgs({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: '{…}' } } });
  });
});
