import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

// Linux follows at most 40 symlinks per lookup (MAXSYMLINKS); we refuse past the same count.
const MAX_SYMLINK_HOPS = 40;

// The canonical form of an absolute path: every symlink resolved, the deepest existing part real.
export interface CanonicalPath {
  path: string;
  exists: boolean;
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function loopError(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('too many symbolic links');
  err.code = 'ELOOP';
  return err;
}

function missingError(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('no such file or directory');
  err.code = 'ENOENT';
  return err;
}

// Resolve like the kernel would at open(O_CREAT): realpath when the path exists; otherwise the
// real path of the deepest existing ancestor plus the missing names, where a dangling symlink on
// the way is followed to its target (so a write "through" it is judged by where it would land).
// Throws errno errors (ELOOP, EACCES, ENOTDIR, ...) for the caller to map.
// Synchronous on purpose: realpath(3) of a cached path costs a few us, a round trip through
// libuv's thread pool 20-40 us, and every tool call starts here (see docs/BENCHMARKS.md).
export function canonicalizePath(absPath: string): CanonicalPath {
  return canonicalizeWithBudget(absPath, { hops: 0 });
}

function canonicalizeWithBudget(absPath: string, budget: { hops: number }): CanonicalPath {
  try {
    // .native is libc realpath(3), the same call fs/promises.realpath makes (not Node's JS walk).
    return { path: realpathSync.native(absPath), exists: true };
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
  const parentPath = path.dirname(absPath);
  const name = path.basename(absPath);
  if (parentPath === absPath) throw missingError();
  const parent = canonicalizeWithBudget(parentPath, budget);
  // A '.' or '..' below a missing directory cannot be created or opened; the kernel says ENOENT.
  if (name === '.' || name === '..') throw missingError();
  const candidate = path.join(parent.path, name);
  if (!parent.exists) return { path: candidate, exists: false };
  let isLink: boolean;
  try {
    isLink = lstatSync(candidate).isSymbolicLink();
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return { path: candidate, exists: false };
    throw err;
  }
  if (!isLink) {
    // It appeared between realpath and lstat (a concurrent create): take its real path now.
    return { path: realpathSync.native(candidate), exists: true };
  }
  // Security: a dangling symlink is followed to where a create would land, so
  // `root/link -> /outside/new` is judged as /outside/new, not as root/link.
  budget.hops += 1;
  if (budget.hops > MAX_SYMLINK_HOPS) throw loopError();
  const target = readlinkSync(candidate);
  // Not path.resolve: `..` in a target must be applied after the symlinks before it, as the
  // kernel does, so keep the raw target and let realpath/dirname walk it.
  const next = path.isAbsolute(target) ? target : `${parent.path}${path.sep}${target}`;
  return canonicalizeWithBudget(next, budget);
}
