import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutputBuffer } from './output-buffer.js';

describe('createOutputBuffer', () => {
  it('returns what was pushed since the last take, then nothing', () => {
    const buffer = createOutputBuffer(100);
    buffer.push(Buffer.from('hello '));
    buffer.push(Buffer.from('world'));
    expect(buffer.take()).toEqual({ text: 'hello world', droppedBytes: 0 });
    expect(buffer.take()).toEqual({ text: '', droppedBytes: 0 });
  });

  it('keeps the newest bytes and counts the dropped ones', () => {
    const buffer = createOutputBuffer(4);
    buffer.push(Buffer.from('abc'));
    buffer.push(Buffer.from('defgh'));
    expect(buffer.take()).toEqual({ text: 'efgh', droppedBytes: 4 });
    expect(buffer.totalBytes).toBe(8);
  });

  it('keeps a multi-byte character split across reads whole', () => {
    const buffer = createOutputBuffer(100);
    const euro = Buffer.from('€');
    buffer.push(euro.subarray(0, 1));
    expect(buffer.take().text).toBe('');
    buffer.push(euro.subarray(1));
    expect(buffer.take().text).toBe('€');
  });

  it('never holds more than its capacity, and accounts for every byte', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.uint8Array({ maxLength: 100 })),
        (capacity, chunks) => {
          const buffer = createOutputBuffer(capacity);
          let pushed = 0;
          for (const chunk of chunks) {
            buffer.push(Buffer.from(chunk));
            pushed += chunk.length;
            expect(buffer.unreadBytes).toBeLessThanOrEqual(capacity);
          }
          const unread = buffer.unreadBytes;
          const { droppedBytes } = buffer.take();
          expect(unread + droppedBytes).toBe(pushed);
        },
      ),
    );
  });
});
