import { readlink, realpath, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { PathOutsideRootsError } from '../../errors/index.js';

const DELETED_SUFFIX = ' (deleted)';

// The path of the directory entry an open descriptor refers to, as the kernel names it, for use
// as a directory prefix: `${fdDirectoryPath(fd)}/name` walks from the OPENED directory (the magic
// link is followed to the inode), like openat(2), whatever its path names now.
export function fdDirectoryPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

// The real path of what `handle` actually is. On Linux this is the kernel's own answer
// (/proc/self/fd, see proc(5)), so a symlink or directory swapped in after the path check cannot
// pass. Without /proc (macOS), fall back to: the real path of `expectedPath` must be the same
// inode (dev + ino) as the handle, which still proves the handle is the file found at a checked path.
export async function descriptorRealPath(
  handle: FileHandle,
  expectedPath: string,
): Promise<string> {
  let linked: string | undefined;
  try {
    linked = await readlink(fdDirectoryPath(handle.fd));
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
  const [opened, real] = await Promise.all([handle.stat(), realpath(expectedPath)]);
  const current = await stat(real);
  // Security: without /proc, the handle must be the very inode now found at the checked path.
  if (opened.dev !== current.dev || opened.ino !== current.ino) {
    throw new PathOutsideRootsError('The file changed while it was being opened; try again.');
  }
  return real;
}
