import { fstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { PathOutsideRootsError } from '../../errors/index.js';

const DELETED_SUFFIX = ' (deleted)';

// The path of the directory entry an open descriptor refers to, as the kernel names it, for use
// as a directory prefix: `${fdDirectoryPath(fd)}/name` walks from the OPENED directory (the magic
// link is followed to the inode), like openat(2), whatever its path names now.
export function fdDirectoryPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

// The real path of what descriptor `fd` actually is. On Linux this is the kernel's own answer
// (/proc/self/fd, see proc(5)), so a symlink or directory swapped in after the path check cannot
// pass. Without /proc (macOS), fall back to: the real path of `expectedPath` must be the same
// inode (dev + ino) as the descriptor, which still proves it is the file found at a checked path.
// Synchronous on purpose: one readlink of a /proc magic link costs about 2 us, a round trip
// through libuv's thread pool 20-40 us (see docs/BENCHMARKS.md).
export function descriptorRealPathSync(fd: number, expectedPath: string): string {
  let linked: string | undefined;
  try {
    linked = readlinkSync(fdDirectoryPath(fd));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (linked !== undefined) {
    // Security: an unlinked file or a non-path object (pipe:, socket:, anon_inode:) has no place
    // inside a root; refuse instead of guessing.
    if (!linked.startsWith('/') || linked.endsWith(DELETED_SUFFIX)) {
      throw new PathOutsideRootsError(
        'The opened file is no longer at a path inside the allowed roots.',
      );
    }
    return linked;
  }
  const opened = fstatSync(fd);
  const real = realpathSync.native(expectedPath);
  const current = statSync(real);
  // Security: without /proc, the descriptor must be the very inode now found at the checked path.
  if (opened.dev !== current.dev || opened.ino !== current.ino) {
    throw new PathOutsideRootsError('The file changed while it was being opened; try again.');
  }
  return real;
}

// descriptorRealPathSync for a FileHandle (the atomic write keeps its directory as one); a
// failure arrives as a rejection, as from any async check.
export function descriptorRealPath(handle: FileHandle, expectedPath: string): Promise<string> {
  return new Promise((resolve) => resolve(descriptorRealPathSync(handle.fd, expectedPath)));
}
