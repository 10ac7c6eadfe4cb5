import { closeSync, constants, fsyncSync, lstatSync, openSync, type Stats } from 'node:fs';
import path from 'node:path';
import { PathDeniedError, PathOutsideRootsError } from '../errors/index.js';
import {
  descriptorRealPathSync,
  fdDirectoryPath,
  formatDisplayPath,
  type PathGuard,
  type PathIntent,
} from '../policy/paths/index.js';

// The parts of the path guard history needs: which root holds a path and whether it is denied.
export type HistoryGuard = Pick<PathGuard, 'rootFor' | 'isDenied'>;

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

// Throw unless realPath lies in a root the guard allows for `intent` and is not denied.
export function validateGuarded(guard: HistoryGuard, realPath: string, intent: PathIntent): void {
  const root = guard.rootFor(realPath);
  // Security: history never reads or restores anything outside the roots (a link swapped in).
  if (root === undefined)
    throw new PathOutsideRootsError(
      `${formatDisplayPath(realPath)} is outside the allowed roots; expected a path inside one.`,
    );
  // Security: deny rules hold for restores too, so no secret is written back by an undo.
  if (guard.isDenied(realPath))
    throw new PathDeniedError(`${formatDisplayPath(realPath)} is protected by the deny rules.`);
  // Security: an undo writes, so every path it touches must be in a read-write root.
  if (intent === 'write' && root.mode !== 'read-write')
    throw new PathDeniedError(
      `${formatDisplayPath(realPath)} is in a read-only root; expected a path in a writable root.`,
    );
}

// A directory opened O_NOFOLLOW whose descriptor is proven to be `dir` itself: children are
// reached through /proc/self/fd/<fd>/name (openat-like), whatever the path names later.
export interface VerifiedDir {
  fd: number;
  path: string;
  via(name: string): string;
  close(): void;
}

// Open `dir` and verify it by its descriptor; `intent` is checked for dir/name when name is given.
export function openVerifiedParent(
  guard: HistoryGuard,
  dir: string,
  intent: PathIntent,
): VerifiedDir {
  // Security: O_NOFOLLOW + descriptor check: a parent swapped for a link is never written through.
  const fd = openSync(dir, DIR_FLAGS);
  try {
    if (descriptorRealPathSync(fd, dir) !== dir)
      throw new PathOutsideRootsError(
        `${formatDisplayPath(dir)} changed while it was being opened; nothing was done. Try again.`,
      );
    validateGuarded(guard, dir, intent);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return {
    fd,
    path: dir,
    via: (name) => `${fdDirectoryPath(fd)}/${name}`,
    close: () => closeSync(fd),
  };
}

// Run fn with the verified parent of absPath (and absPath itself checked for intent).
export function withParent<T>(
  guard: HistoryGuard,
  absPath: string,
  intent: PathIntent,
  fn: (dir: VerifiedDir, name: string) => T,
): T {
  validateGuarded(guard, absPath, intent);
  const dir = openVerifiedParent(guard, path.dirname(absPath), intent);
  try {
    return fn(dir, path.basename(absPath));
  } finally {
    dir.close();
  }
}

// Open a child directory through its parent's descriptor, never following a link.
export function openChildDir(parentFd: number, name: string): number {
  return openSync(`${fdDirectoryPath(parentFd)}/${name}`, DIR_FLAGS);
}

// lstat through a descriptor path; undefined when the entry does not exist.
export function lstatOrAbsent(viaPath: string | Buffer): Stats | undefined {
  try {
    return lstatSync(viaPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// Flush a directory's entries to disk through its descriptor (best effort on odd file systems).
export function syncDir(dir: VerifiedDir): void {
  try {
    fsyncSync(dir.fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself has happened.
  }
}
