import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFramer } from './line-framer.js';

describe('LineFramer', () => {
  it('yields the same lines whatever the chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 40 }).filter((s) => !s.includes('\n')),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(50), { maxLength: 30 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
          const framer = new LineFramer(1000, () => {
            throw new Error('no line is oversized here');
          });
          const out: string[] = [];
          let pos = 0;
          for (const cut of cuts) {
            out.push(...framer.push(bytes.subarray(pos, pos + cut)));
            pos = Math.min(bytes.length, pos + cut);
          }
          out.push(...framer.push(bytes.subarray(pos)));
          expect(out).toEqual(lines.map((l) => l.replace(/\r$/, '')));
        },
      ),
    );
  });

  it('drops an oversized line while it streams, reports it once, and resumes after it', () => {
    const heads: string[] = [];
    const framer = new LineFramer(10, (head, tail) =>
      heads.push(`${head.toString()}|${tail.toString()}`),
    );
    expect(framer.push(Buffer.from('{"aaaa'))).toEqual([]);
    expect(framer.push(Buffer.from('bbbbbbbbbbbbbbbbbbbb'))).toEqual([]);
    expect(framer.push(Buffer.from('cc,"id":7}\nok\n'))).toEqual(['ok']);
    expect(heads).toEqual(['{"aaaabbbbbbbbbbbbbbbbbbbbcc,"id":7}|bbbbbbbbbbbbbbbbbbbbcc,"id":7}']);
  });

  it('decodes a character split across chunks and reads a last line that has no newline', () => {
    const framer = new LineFramer(1000, () => {
      throw new Error('no line is oversized here');
    });
    const bytes = Buffer.from('é€😀\r\nlast');
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 1) out.push(...framer.push(bytes.subarray(i, i + 1)));
    out.push(...framer.end());
    expect(out).toEqual(['é€😀', 'last']);
    expect(framer.end()).toEqual([]);
  });
});
