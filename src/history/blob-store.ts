import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { FileSystemError } from '../errors/index.js';
import {
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  fsyncDirectory,
  storeTempPath,
} from './durable-file.js';

const CHUNK_BYTES = 256 * 1024;

// A kept content: its sha256 (the blob's name) and length.
export interface StoredBlob {
  hash: string;
  size: number;
}

// Content-addressed, deduplicated storage of file contents: blobs/<aa>/<sha256>, each written
// whole (temp, fsync, rename, directory fsync) and read back only when its hash still matches.
export interface BlobStore {
  // Copy everything readable from an open descriptor into the store (streamed, bounded memory).
  putFromFd(fd: number): StoredBlob;
  putBuffer(data: Uint8Array): StoredBlob;
  // The content of a blob; throws when it is missing or no longer matches its name.
  read(hash: string): Buffer;
  // Every blob's hash, size and last write or reuse time (for retention).
  list(): (StoredBlob & { mtimeMs: number })[];
  remove(hash: string): void;
}

// The sha256 of some bytes, as the store names blobs.
export function hashBytes(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

// A reused blob is marked fresh, so retention's grace period covers the change reusing it.
function touch(target: string): void {
  try {
    const now = new Date();
    utimesSync(target, now, now);
  } catch {
    // Removed meanwhile by retention: the next put writes it again.
  }
}

// A blob store under `dir` (created private when missing); `tmpDir` holds its temp files.
export function createBlobStore(dir: string, tmpDir: string): BlobStore {
  const blobPath = (hash: string): string => path.join(dir, hash.slice(0, 2), hash);
  const commit = (temp: string, hash: string): void => {
    const target = blobPath(hash);
    // Deduplicated: the same content is kept once, whichever change brought it.
    if (existsSync(target)) {
      unlinkSync(temp);
      touch(target);
      return;
    }
    mkdirSync(path.dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    renameSync(temp, target);
    fsyncDirectory(path.dirname(target));
  };
  const writeStreamed = (fill: (write: (chunk: Uint8Array) => void) => void): StoredBlob => {
    const temp = storeTempPath(tmpDir, 'blob');
    const out = openSync(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      PRIVATE_FILE_MODE,
    );
    const hasher = createHash('sha256');
    let size = 0;
    try {
      fill((chunk) => {
        hasher.update(chunk);
        size += chunk.byteLength;
        for (let offset = 0; offset < chunk.byteLength;) {
          offset += writeSync(out, chunk, offset, chunk.byteLength - offset);
        }
      });
      // Durability: the kept content is on disk before the change it protects goes ahead.
      fsyncSync(out);
    } catch (err) {
      closeSync(out);
      unlinkSync(temp);
      throw err;
    }
    closeSync(out);
    const hash = hasher.digest('hex');
    commit(temp, hash);
    return { hash, size };
  };
  return {
    putFromFd(fd) {
      return writeStreamed((write) => {
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        for (;;) {
          const read = readSync(fd, buffer, 0, buffer.length, null);
          if (read === 0) break;
          write(buffer.subarray(0, read));
        }
      });
    },
    putBuffer(data) {
      const hash = hashBytes(data);
      if (existsSync(blobPath(hash))) {
        touch(blobPath(hash));
        return { hash, size: data.byteLength };
      }
      return writeStreamed((write) => write(data));
    },
    read(hash) {
      let data: Buffer;
      try {
        const fd = openSync(blobPath(hash), constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const size = statSync(blobPath(hash)).size;
          data = Buffer.allocUnsafe(size);
          for (let offset = 0; offset < size;) {
            const read = readSync(fd, data, offset, size - offset, offset);
            if (read === 0) break;
            offset += read;
          }
        } finally {
          closeSync(fd);
        }
      } catch (err) {
        throw new FileSystemError(
          'HISTORY_MISSING',
          `The kept content ${hash.slice(0, 12)} is missing from the history store; this change can no longer be undone.`,
          { cause: err },
        );
      }
      // Security: a blob altered on disk is never restored into a root.
      if (hashBytes(data) !== hash) {
        throw new FileSystemError(
          'HISTORY_CORRUPT',
          `The kept content ${hash.slice(0, 12)} no longer matches its hash; refusing to restore it.`,
        );
      }
      return data;
    },
    list() {
      const blobs: (StoredBlob & { mtimeMs: number })[] = [];
      if (!existsSync(dir)) return blobs;
      for (const prefix of readdirSync(dir)) {
        for (const name of readdirSync(path.join(dir, prefix))) {
          const stat = statSync(path.join(dir, prefix, name));
          blobs.push({ hash: name, size: stat.size, mtimeMs: stat.mtimeMs });
        }
      }
      return blobs;
    },
    remove(hash) {
      try {
        unlinkSync(blobPath(hash));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}
