import type { ReadHandle } from '../../../policy/paths/index.js';
import { LimitExceededError } from '../../../errors/index.js';

const CHUNK_BYTES = 64 * 1024;
const FIRST_CHUNK_BYTES = 4 * 1024;
const NEWLINE = 0x0a;

// A slice of a file's lines. Lines are what split('\n') gives, except that a final newline ends
// the last line instead of starting an empty one ("a\nb\n" has 2 lines).
export interface LineRange {
  text: string;
  // 0-based index of the first returned line.
  startLine: number;
  lineCount: number;
  // True when lines follow the returned range.
  hasMore: boolean;
}

function tooLong(maxBytes: number, what: string): LimitExceededError {
  return new LimitExceededError(
    `Expected ${what} to be at most ${maxBytes} bytes, got more (very long lines?). Ask for fewer lines with a smaller head/tail/length.`,
  );
}

// Lines as text: CRLF line ends are shown as LF, like the official server's tail.
function decode(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8').replace(/\r\n/g, '\n').replace(/\r$/, '');
}

// Stream lines [offset, offset + length) from the start of the file; bytes before `offset` are
// scanned but never kept, bytes kept are capped at maxBytes.
export async function readLineRange(
  handle: ReadHandle,
  offset: number,
  length: number,
  maxBytes: number,
  chunkBytes = CHUNK_BYTES,
): Promise<LineRange> {
  // Start small (fresh memory costs page faults; a head of a few lines fits in 4 KiB) and double.
  let buffer = Buffer.allocUnsafe(Math.min(FIRST_CHUNK_BYTES, chunkBytes));
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let newlines = 0;
  let position = 0;
  let collecting = offset === 0;
  let lastByte = -1;
  if (length === 0) return { text: '', startLine: offset, lineCount: 0, hasMore: true };
  for (;;) {
    if (position > 0 && buffer.length < chunkBytes) {
      buffer = Buffer.allocUnsafe(Math.min(buffer.length * 2, chunkBytes));
    }
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    lastByte = chunk[bytesRead - 1] ?? -1;
    let from = 0;
    let keepFrom = collecting ? 0 : -1;
    for (;;) {
      const at = chunk.indexOf(NEWLINE, from);
      if (at === -1) break;
      newlines += 1;
      from = at + 1;
      if (!collecting && newlines === offset) {
        collecting = true;
        keepFrom = at + 1;
      } else if (collecting && newlines === offset + length) {
        kept.push(Buffer.from(chunk.subarray(keepFrom, at)));
        keptBytes += at - keepFrom;
        if (keptBytes > maxBytes) throw tooLong(maxBytes, 'the requested lines');
        const next = await handle.read(Buffer.alloc(1), 0, 1, position + at + 1);
        return {
          text: decode(kept),
          startLine: offset,
          lineCount: length,
          hasMore: next.bytesRead > 0,
        };
      }
    }
    if (collecting && keepFrom < bytesRead) {
      kept.push(Buffer.from(chunk.subarray(keepFrom)));
      keptBytes += bytesRead - keepFrom;
      if (keptBytes > maxBytes) throw tooLong(maxBytes, 'the requested lines');
    }
    position += bytesRead;
  }
  // End of file: the last line may lack its newline.
  const totalLines = newlines + (position > 0 && lastByte !== NEWLINE ? 1 : 0);
  const lineCount = Math.max(0, Math.min(length, totalLines - offset));
  let text = lineCount === 0 ? '' : decode(kept);
  if (lineCount > 0 && text.endsWith('\n')) text = text.slice(0, -1);
  return { text, startLine: Math.min(offset, totalLines), lineCount, hasMore: false };
}

// Exactly the last `count` lines, read backwards from the end in chunks: a 1 GB file costs only
// the bytes of those lines. The result has no trailing newline.
export async function readTail(
  handle: ReadHandle,
  size: number,
  count: number,
  maxBytes: number,
  chunkBytes = CHUNK_BYTES,
): Promise<string> {
  if (count === 0 || size === 0) return '';
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  // A final newline terminates the last line; it does not start another one.
  const end = last[0] === NEWLINE ? size - 1 : size;
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let newlines = 0;
  let position = end;
  // Start small (fresh memory costs page faults; a tail of a few lines fits in 4 KiB) and double.
  let nextChunk = Math.min(FIRST_CHUNK_BYTES, chunkBytes);
  while (position > 0) {
    const readSize = Math.min(nextChunk, position);
    nextChunk = Math.min(nextChunk * 2, chunkBytes);
    position -= readSize;
    const chunk = Buffer.allocUnsafe(readSize);
    const { bytesRead } = await handle.read(chunk, 0, readSize, position);
    let searchFrom = bytesRead - 1;
    let startInChunk = 0;
    let done = false;
    while (searchFrom >= 0) {
      const at = chunk.lastIndexOf(NEWLINE, searchFrom);
      if (at === -1) break;
      newlines += 1;
      if (newlines === count) {
        startInChunk = at + 1;
        done = true;
        break;
      }
      searchFrom = at - 1;
    }
    kept.unshift(chunk.subarray(startInChunk, bytesRead));
    keptBytes += bytesRead - startInChunk;
    if (keptBytes > maxBytes) throw tooLong(maxBytes, `the last ${count} lines`);
    if (done) break;
  }
  return decode(kept);
}

// The whole file, refusing (instead of truncating) when it is or grows past maxBytes. The buffer
// is sized from the size the caller saw (stat), plus one byte to notice growth.
export async function readAllBounded(
  handle: ReadHandle,
  expectedSize: number,
  maxBytes: number,
  tooBig: () => Error,
): Promise<Buffer> {
  // allocUnsafe: only the bytes actually read are ever returned.
  let buffer = Buffer.allocUnsafe(Math.min(expectedSize, maxBytes) + 1);
  let total = 0;
  for (;;) {
    if (total === buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(grown, 0, 0, total);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, total, buffer.length - total, total);
    if (bytesRead === 0) break;
    total += bytesRead;
    // Security: a file growing while it is read cannot push the answer past the limit.
    if (total > maxBytes) throw tooBig();
  }
  return buffer.subarray(0, total);
}
