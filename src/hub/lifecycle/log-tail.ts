import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';

const CHUNK_BYTES = 64 * 1024;

function statIfPresent(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readRange(file: string, start: number, end: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    let done = 0;
    while (done < buffer.length) {
      const n = readSync(fd, buffer, done, buffer.length - done, start + done);
      if (n === 0) break;
      done += n;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

// The last `count` lines of `file` after byte `fromOffset`, reading backwards in chunks so a
// large log costs only what is shown; undefined when the file does not exist.
export function readLastLines(
  file: string,
  count: number,
  fromOffset = 0,
): { lines: string[]; size: number } | undefined {
  const stats = statIfPresent(file);
  if (stats === undefined) return undefined;
  const size = stats.size;
  let start = size;
  let tail = Buffer.alloc(0);
  const newlines = (buf: Buffer): number => buf.toString('latin1').split('\n').length - 1;
  // One newline more than asked for: the text before it is the cut-off earlier line.
  while (start > fromOffset && newlines(tail.subarray(0, tail.length - 1)) < count) {
    const next = Math.max(fromOffset, start - CHUNK_BYTES);
    tail = Buffer.concat([readRange(file, next, start), tail]);
    start = next;
  }
  const text = tail.toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { lines: count === 0 ? [] : lines.slice(-count), size };
}

export interface FollowOptions {
  // Byte offset already shown; following starts there.
  offset: number;
  signal: AbortSignal;
  intervalMs?: number;
}

// Writes what is appended to `file` until `signal` aborts. A file replaced under the same name
// (new inode, log rotation) or truncated is read again from its start; a removed one is waited for.
export async function followFile(
  file: string,
  write: (chunk: Buffer) => void,
  options: FollowOptions,
): Promise<void> {
  const interval = options.intervalMs ?? 200;
  let offset = options.offset;
  let inode = statIfPresent(file)?.ino;
  while (!options.signal.aborted) {
    const stats = statIfPresent(file);
    if (stats !== undefined) {
      if (stats.ino !== inode || stats.size < offset) offset = 0;
      inode = stats.ino;
      if (stats.size > offset) {
        write(readRange(file, offset, stats.size));
        offset = stats.size;
      }
    }
    await new Promise<void>((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        options.signal.removeEventListener('abort', onAbort);
        resolve();
      }, interval);
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
