import { lstat, readlink, realpath } from 'node:fs/promises';
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
export async function canonicalizePath(absPath: string): Promise<CanonicalPath> {
  return canonicalizeWithBudget(absPath, { hops: 0 });
}

async function canonicalizeWithBudget(
  absPath: string,
  budget: { hops: number },
): Promise<CanonicalPath> {
  try {
    return { path: await realpath(absPath), exists: true };
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
  const parentPath = path.dirname(absPath);
  const name = path.basename(absPath);
  if (parentPath === absPath) throw missingError();
  const parent = await canonicalizeWithBudget(parentPath, budget);
  // A '.' or '..' below a missing directory cannot be created or opened; the kernel says ENOENT.
  if (name === '.' || name === '..') throw missingError();
  const candidate = path.join(parent.path, name);
  if (!parent.exists) return { path: candidate, exists: false };
  let isLink: boolean;
  try {
    isLink = (await lstat(candidate)).isSymbolicLink();
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return { path: candidate, exists: false };
    throw err;
  }
  if (!isLink) {
    // It appeared between realpath and lstat (a concurrent create): take its real path now.
    return { path: await realpath(candidate), exists: true };
  }
  // Security: a dangling symlink is followed to where a create would land, so
  // `root/link -> /outside/new` is judged as /outside/new, not as root/link.
  budget.hops += 1;
  if (budget.hops > MAX_SYMLINK_HOPS) throw loopError();
  const target = await readlink(candidate);
  // Not path.resolve: `..` in a target must be applied after the symlinks before it, as the
  // kernel does, so keep the raw target and let realpath/dirname walk it.
  const next = path.isAbsolute(target) ? target : `${parent.path}${path.sep}${target}`;
  return canonicalizeWithBudget(next, budget);
}
