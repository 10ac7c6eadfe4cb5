import { closeSync, read, readSync } from 'node:fs';
import type { ReadHandle } from './types.js';

// Reads up to this size run on the calling thread: from the page cache they take a few us, while
// a round trip through libuv's thread pool costs 20-40 us on the bench VM. Bigger reads (a whole
// multi-MiB file) go to the pool so one call cannot hold up the others for long.
const SYNC_READ_MAX_BYTES = 64 * 1024;

function closedError(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('EBADF: file handle already closed');
  err.code = 'EBADF';
  return err;
}

// A ReadHandle over a raw descriptor this process opened. close() waits for reads still running
// in the pool before closing, so a descriptor number is never closed (and reused) under a read.
export function createFdReadHandle(fd: number): ReadHandle {
  let closed = false;
  const pending = new Set<Promise<unknown>>();
  return {
    fd,
    read(buffer, offset, length, position) {
      if (closed) return Promise.reject(closedError());
      if (length <= SYNC_READ_MAX_BYTES) {
        // A throw inside the executor becomes the rejection, as with FileHandle.read.
        return new Promise((resolve) =>
          resolve({ bytesRead: readSync(fd, buffer, offset, length, position) }),
        );
      }
      const done = new Promise<{ bytesRead: number }>((resolve, reject) => {
        read(fd, buffer, offset, length, position, (err, bytesRead) =>
          err ? reject(err) : resolve({ bytesRead }),
        );
      });
      const settled: Promise<unknown> = done.then(
        (): boolean => pending.delete(settled),
        (): boolean => pending.delete(settled),
      );
      pending.add(settled);
      return done;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (pending.size > 0) await Promise.all(pending);
      closeSync(fd);
    },
  };
}
