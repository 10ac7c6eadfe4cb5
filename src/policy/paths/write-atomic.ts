import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsync,
  link,
  lstatSync,
  openSync,
  read,
  readSync,
  rename,
  unlink,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  FileSystemError,
  InvalidInputError,
  LimitExceededError,
  PathOutsideRootsError,
} from '../../errors/index.js';
import { descriptorRealPathSync, fdDirectoryPath } from './descriptor-path.js';
import { formatDisplayPath, toFileSystemError } from './fs-errors.js';
import { describeKind, openErrorFor, type GuardChecks } from './open-verified.js';
import { withPathLock, type PathLocks } from './path-lock.js';
import { bastionTempName, sweepFolderOnce, type FolderSweeps } from './temp-files.js';
import type { ResolvedPath, WriteMode, WriteResult } from './types.js';

const COPY_CHUNK_BYTES = 64 * 1024;

// Up to this size the content is written with a direct syscall, like the metadata steps that
// never wait for the disk (open, readlink, lstat, chmod, close): each thread-pool round trip
// costs 20-40 us on this kind of VM, and ten of them were most of a small write
// (docs/BENCHMARKS.md). Bigger contents go through the pool, and so do the steps that can wait
// for the disk whatever the size: both fsyncs and the rename (it waits on the file system's
// journal while another flush commits, 0.45 ms per write in a profile on a busy disk). Those must
// not stall every other call while they wait.
const SYNC_WRITE_BYTES = 64 * 1024;

const writeAsync = promisify(write);
const renameAsync = promisify(rename);
const linkAsync = promisify(link);
const unlinkAsync = promisify(unlink);
const readAsync = promisify(read);
const fsyncAsync = promisify(fsync);

function errnoError(code: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(code);
  err.code = code;
  return err;
}

function lstatOrUndefined(target: string): Stats | undefined {
  try {
    return lstatSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// Write all of `bytes` at the descriptor's position: direct for small contents, pooled for big.
async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  const direct = bytes.byteLength <= SYNC_WRITE_BYTES;
  for (let offset = 0; offset < bytes.byteLength;) {
    const length = bytes.byteLength - offset;
    offset += direct
      ? writeSync(fd, bytes, offset, length)
      : (await writeAsync(fd, bytes, offset, length, null)).bytesWritten;
  }
}

// Stream the old file into the temp file; the old file is opened O_NOFOLLOW in the verified dir.
async function copyExisting(
  source: string,
  into: number,
  extraBytes: number,
  maxBytes: number,
): Promise<void> {
  const old = openSync(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(old);
    if (!stat.isFile())
      throw new InvalidInputError(
        `Expected a regular file to append to, got ${describeKind(stat)}.`,
      );
    if (stat.size + extraBytes > maxBytes) {
      throw new LimitExceededError(
        `Expected the file after appending to be at most ${maxBytes} bytes, got ${stat.size + extraBytes}. ` +
          'Append rewrites the whole file atomically, so the whole file counts toward the write limit.',
      );
    }
    const buffer = Buffer.alloc(COPY_CHUNK_BYTES);
    const direct = stat.size <= SYNC_WRITE_BYTES;
    for (;;) {
      const bytesRead = direct
        ? readSync(old, buffer, 0, buffer.length, null)
        : (await readAsync(old, buffer, 0, buffer.length, null)).bytesRead;
      if (bytesRead === 0) break;
      await writeAll(into, buffer.subarray(0, bytesRead));
    }
  } finally {
    closeSync(old);
  }
}

// Write a file so readers and crashes only ever see the old or the new content. Every step runs
// inside the parent directory opened O_NOFOLLOW and verified through its descriptor; paths go
// through /proc/self/fd/<dirfd>/ (openat-like), so swapping the directory for a symlink after the
// check cannot redirect the write. 'append' copies old + new into the temp file and renames (not
// O_APPEND): a crash mid-append can then never leave a torn tail; concurrent appends may lose one
// of the two (last rename wins) unless they share `locks` (one guard serialises its own writes
// per path; other processes are not covered). Permission bits of an existing file are kept (setuid/setgid are
// dropped). Parent directories are never created. With `sweeps`, a successful write also removes
// stale temp files that crashed writers left in the same folder (see temp-files.ts).
export async function writeFileAtomic(
  checks: GuardChecks,
  maxWriteBytes: number,
  rawPath: string,
  data: string | Uint8Array,
  mode: WriteMode = 'overwrite',
  locks?: PathLocks,
  sweeps?: FolderSweeps,
): Promise<WriteResult> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  // Security: bound disk use per call before touching the file system.
  if (bytes.byteLength > maxWriteBytes) {
    throw new LimitExceededError(
      `Expected at most ${maxWriteBytes} bytes to write, got ${bytes.byteLength}.`,
    );
  }
  const resolved = await checks.resolve(rawPath, 'write');
  if (locks === undefined)
    return writeResolved(checks, maxWriteBytes, rawPath, bytes, mode, resolved, sweeps);
  return withPathLock(locks, resolved.path, () =>
    writeResolved(checks, maxWriteBytes, rawPath, bytes, mode, resolved, sweeps),
  );
}

async function writeResolved(
  checks: GuardChecks,
  maxWriteBytes: number,
  rawPath: string,
  bytes: Uint8Array,
  mode: WriteMode,
  resolved: ResolvedPath,
  sweeps: FolderSweeps | undefined,
): Promise<WriteResult> {
  if (resolved.path === resolved.root.path) throw toFileSystemError(errnoError('EISDIR'), rawPath);
  const dirPath = path.dirname(resolved.path);
  const name = path.basename(resolved.path);
  let dirFd: number;
  try {
    // Security: O_NOFOLLOW on the parent refuses a directory already swapped for a symlink.
    dirFd = openSync(dirPath, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FileSystemError(
        'ENOENT',
        `The parent directory of ${formatDisplayPath(rawPath)} does not exist; create it first.`,
      );
    }
    throw toFileSystemError(await openErrorFor(err, dirPath), rawPath);
  }
  let tempPath: string | undefined;
  try {
    const dirReal = descriptorRealPathSync(dirFd, dirPath);
    // Security: judge the target inside the directory actually opened, not the earlier string.
    const targetReal = path.join(dirReal, name);
    checks.verifyRealPath(targetReal, 'write', rawPath);
    const prefix = process.platform === 'linux' ? fdDirectoryPath(dirFd) : dirReal;
    const targetVia = `${prefix}/${name}`;
    const existing = lstatOrUndefined(targetVia);
    if (existing !== undefined) {
      // Security: a symlink appearing at the target after resolve() is a swap attempt; refuse.
      if (existing.isSymbolicLink()) throw errnoError('ELOOP');
      if (existing.isDirectory()) throw errnoError('EISDIR');
      if (!existing.isFile())
        throw new InvalidInputError(
          `Expected a regular file, got ${describeKind(existing)}: ${formatDisplayPath(rawPath)}.`,
        );
      if (mode === 'create') throw errnoError('EEXIST');
    }
    tempPath = `${prefix}/${bastionTempName(name)}`;
    const temp = openSync(
      tempPath,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      existing ? 0o600 : 0o666,
    );
    try {
      if (mode === 'append' && existing)
        await copyExisting(targetVia, temp, bytes.byteLength, maxWriteBytes);
      await writeAll(temp, bytes);
      if (existing) {
        fchmodSync(temp, existing.mode & 0o777);
        if (existing.uid !== process.getuid?.()) {
          try {
            fchownSync(temp, existing.uid, existing.gid);
          } catch {
            // Not permitted (not root): the file becomes the writer's, as with any editor.
          }
        }
      }
      // Durability: the data reaches the disk before the name points at it.
      await fsyncAsync(temp);
    } finally {
      closeSync(temp);
    }
    // Security: re-verify right before the rename that the opened directory is still inside the
    // roots (it may have been moved since it was opened).
    const dirNow = descriptorRealPathSync(dirFd, dirPath);
    if (dirNow !== dirReal)
      throw new PathOutsideRootsError(
        `The directory of ${formatDisplayPath(rawPath)} moved during the write; nothing was written.`,
      );
    checks.verifyRealPath(path.join(dirNow, name), 'write', rawPath);
    if (mode === 'create' || (mode === 'append' && !existing)) {
      // link() fails with EEXIST if the name appeared meanwhile: create never clobbers.
      await linkAsync(tempPath, targetVia);
      await unlinkAsync(tempPath);
    } else {
      await renameAsync(tempPath, targetVia);
    }
    tempPath = undefined;
    // Some file systems refuse fsync on a directory; the rename itself has happened.
    await fsyncAsync(dirFd).catch(() => undefined);
    // Through the verified descriptor: only this very folder's stale temp files are removed.
    if (sweeps !== undefined) await sweepFolderOnce(sweeps, dirReal, prefix);
    return { path: targetReal, bytesWritten: bytes.byteLength, created: existing === undefined };
  } catch (err) {
    if (tempPath !== undefined) {
      try {
        unlinkSync(tempPath);
      } catch {
        // Already gone; the sweep removes what a failed unlink leaves.
      }
    }
    throw toFileSystemError(err, rawPath);
  } finally {
    closeSync(dirFd);
  }
}
