import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

// Private to the user who runs Bastion: the history holds old versions of the user's files.
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

// Flush a directory's entries (a rename or a new name) to the disk.
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// Create dir (and missing parents) private; an existing directory is kept as it is.
export function ensurePrivateDirectory(dir: string): void {
  // Security: history content is readable by its owner only (0700), like the audit log.
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

// A temp name in the store's own tmp/ folder, unique to this write.
export function storeTempPath(tmpDir: string, label: string): string {
  return path.join(tmpDir, `${label}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
}

// The journal and blobs are written the way write-atomic.ts writes agent files (temp, fsync,
// rename, directory fsync), so a crash leaves the old name or the whole new file. The store is
// outside every root, so it is not written through the path guard: its own private temp folder
// and mode 0600 replace the guard's checks.
export function writeFileDurable(tmpDir: string, target: string, data: string | Uint8Array): void {
  const temp = storeTempPath(tmpDir, path.basename(target));
  const fd = openSync(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    PRIVATE_FILE_MODE,
  );
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let offset = 0; offset < bytes.byteLength;) {
      offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    }
    // Durability: the content reaches the disk before the name points at it.
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  renameSync(temp, target);
  fsyncDirectory(path.dirname(target));
}
