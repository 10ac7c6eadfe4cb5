import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capText, OutputCapper } from './output-cap.js';

describe('OutputCapper', () => {
  it('keeps short output whole', () => {
    expect(capText('hello', 100)).toEqual({ text: 'hello', totalBytes: 5, truncated: false });
  });

  it('keeps head and tail with an omitted-bytes marker', () => {
    const capped = capText('a'.repeat(50) + 'MIDDLE' + 'z'.repeat(50), 20);
    expect(capped.truncated).toBe(true);
    expect(capped.totalBytes).toBe(106);
    expect(capped.text).toBe(`${'a'.repeat(10)}\n[... 86 bytes omitted ...]\n${'z'.repeat(10)}`);
  });

  it('holds the same result whatever the chunking, in bounded memory (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 100 }),
        (chunks, max) => {
          const whole = Buffer.concat(chunks.map((c) => Buffer.from(c)));
          const capper = new OutputCapper(max);
          for (const c of chunks) capper.push(Buffer.from(c));
          const expected = capText(whole, max);
          const got = capper.result();
          expect(got).toEqual(expected);
          expect(got.totalBytes).toBe(whole.length);
          if (whole.length <= max) expect(got.text).toBe(whole.toString('utf8'));
        },
      ),
    );
  });
});
