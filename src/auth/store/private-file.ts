import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type BigIntStats,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { InvalidStateFileError } from '../../errors/index.js';

// Create the directory that holds the token files, private to this user.
export function ensurePrivateDirectory(dir: string): void {
  // Security: the token hashes and the lock live here; 0700 keeps other local users from
  // reading them or planting a file the hub would trust.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

// Write `text` to `file` so readers see the old content or the new, never a torn file: a
// private temp file in the same directory, fsync, rename(2) over the target, fsync the dir.
export function writePrivateFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  // Security: 'wx' never follows or reuses a planted file; 0600 keeps the content private.
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, file);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // Already closed: the failure came from the rename.
    }
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDirectory(dir);
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// The file's text, or undefined when it does not exist.
export function readTextIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// Parse `text` as JSON checked by `schema`; a file that is not what Bastion writes is an error
// naming the file and the problem, never silently treated as empty.
export function parseJsonFile<T>(
  file: string,
  text: string,
  schema: z.ZodType<T>,
  what: string,
): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidStateFileError(`expected ${what} (JSON) in ${file}, got unparseable text`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new InvalidStateFileError(
      `expected ${what} in ${file}, got: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  return parsed.data;
}

// Refuse a token file other users could have written (`stat` is the file's, just taken).
export function validatePrivateFile(
  file: string,
  stat: Stats | BigIntStats = statSync(file),
): void {
  const mode = Number(stat.mode);
  // Security: planted tokens. A group- or world-writable token file (or one another user
  // owns) could hold a hash someone else chose, so it is refused rather than trusted.
  if (
    (mode & 0o022) !== 0 ||
    (process.getuid !== undefined && Number(stat.uid) !== process.getuid())
  )
    throw new InvalidStateFileError(
      `expected ${file} to be owned by this user and writable by no one else (mode 0600), got mode ${(mode & 0o777).toString(8)}`,
    );
}
