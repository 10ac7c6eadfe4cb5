import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readLineRange, readTail } from './text-lines.js';

const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-lines-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The reference: split on '\n', a final newline ends the last line, CRLF shows as LF.
function referenceLines(text: string): string[] {
  const normal = text.replace(/\r\n/g, '\n');
  const lines = normal.split('\n');
  if (normal.endsWith('\n')) lines.pop();
  return normal === '' ? [] : lines;
}

const content = fc
  .array(fc.constantFrom('a', 'bc', '\n', '\r\n', 'é', '日本', '\n\n', ' '), { maxLength: 40 })
  .map((parts) => parts.join(''));

async function withFile<T>(
  text: string,
  fn: (handle: Awaited<ReturnType<typeof open>>, size: number) => Promise<T>,
): Promise<T> {
  const file = path.join(dir, 'f.txt');
  writeFileSync(file, text);
  const handle = await open(file, 'r');
  try {
    return await fn(handle, Buffer.byteLength(text));
  } finally {
    await handle.close();
  }
}

describe('line readers match split-based reference at every chunk size', () => {
  it('readTail returns exactly the last N lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.nat(12),
        fc.integer({ min: 1, max: 7 }),
        async (text, n, chunk) => {
          const got = await withFile(text, (h, size) => readTail(h, size, n, 1 << 20, chunk));
          expect(got).toBe(n === 0 ? '' : referenceLines(text).slice(-n).join('\n'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('readLineRange returns lines [offset, offset + length)', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.nat(10),
        fc.nat(10),
        fc.integer({ min: 1, max: 7 }),
        async (text, offset, length, chunk) => {
          const range = await withFile(text, (h) =>
            readLineRange(h, offset, length, 1 << 20, chunk),
          );
          const lines = referenceLines(text);
          const expected = lines.slice(offset, offset + length);
          if (length > 0) {
            expect(range.text).toBe(expected.join('\n'));
            expect(range.lineCount).toBe(expected.length);
            expect(range.hasMore).toBe(offset + length < lines.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
