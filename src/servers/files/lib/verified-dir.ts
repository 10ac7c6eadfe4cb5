import { closeSync, constants, openSync, readdirSync, readlinkSync, type Dirent } from 'node:fs';
import { PathOutsideRootsError } from '../../../errors/index.js';

// Open a directory without following a final symlink: the kernel refuses a swapped-in link.
export const DIR_OPEN_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

// A child path resolved through an open directory descriptor (like openat(2)): whatever the
// parent's path names now, the kernel walks from the directory that was opened and verified.
export function viaFd(fd: number, name: string): string {
  return `/proc/self/fd/${fd}/${name}`;
}

// Open absPath as a directory and prove through /proc/self/fd that the descriptor is that very
// directory. Throws errno errors (ENOENT, ENOTDIR, ELOOP, EACCES) or PathOutsideRootsError.
export function openVerifiedDirFd(absPath: string): number {
  // Security: O_NOFOLLOW + O_DIRECTORY: a final symlink or a file swapped in is refused.
  const fd = openSync(absPath, DIR_OPEN_FLAGS);
  try {
    // Security: a parent component swapped for a symlink (TOCTOU) lands elsewhere; the kernel's
    // own name for the descriptor must be exactly the path that was checked.
    if (readlinkSync(`/proc/self/fd/${fd}`) !== absPath) {
      throw new PathOutsideRootsError(
        'A directory changed while it was being opened; nothing was done. Try again.',
      );
    }
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

// Open a child directory through its verified parent descriptor, never following a symlink.
export function openChildDirFd(parentFd: number, name: string): number {
  return openSync(viaFd(parentFd, name), DIR_OPEN_FLAGS);
}

// List the verified directory at absPath (types from the dirent, no stat per entry), sorted by
// name so paging with an offset is stable. Returns undefined when it vanished or was swapped.
export function readVerifiedDir(absPath: string): Dirent[] | undefined {
  let fd: number;
  try {
    fd = openVerifiedDirFd(absPath);
  } catch {
    return undefined;
  }
  try {
    const entries = readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return entries;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

// Run fn with a verified descriptor of absPath, always closing it.
export function withVerifiedDir<T>(absPath: string, fn: (fd: number) => T): T {
  const fd = openVerifiedDirFd(absPath);
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

// The kind of a directory entry, as reported to the agent; symlinks are never followed.
export type EntryKind = 'file' | 'directory' | 'symlink' | 'other';

// Classify a dirent (or stats) without following it.
export function entryKind(
  entry: Pick<Dirent, 'isFile' | 'isDirectory' | 'isSymbolicLink'>,
): EntryKind {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  return 'other';
}
