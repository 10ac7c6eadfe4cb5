import { closeSync } from 'node:fs';
import { rethrowFileSystemError } from '../../../policy/paths/index.js';
import { entryKind, openVerifiedDirFd, readVerifiedDir, type EntryKind } from './verified-dir.js';

// One entry met by walkTree; `relative` uses '/' and is relative to the start directory.
export interface WalkEntry {
  path: string;
  relative: string;
  name: string;
  kind: EntryKind;
  depth: number;
}

// What the visitor wants next: keep going, do not descend into this directory, or stop the walk.
export type WalkDecision = 'continue' | 'skip' | 'stop';

// How a walk filters: deny check, exclusions, depth, and the spelling used in errors.
export interface WalkOptions {
  // Usually createWalkDenyCheck(guard, ...): matching entries are neither visited nor entered.
  isDenied: (absPath: string, name: string) => boolean;
  // Entries for which this returns true are neither visited nor descended into.
  exclude?: (relative: string) => boolean;
  // Depth 1 = the start directory's own entries.
  maxDepth?: number;
  // The agent's spelling of the start directory, for error messages.
  displayPath: string;
}

// How many directories to read, or how long to run, between yields to the event loop, so one big
// walk (a search, the start sweep of a big root) never holds up other requests (calls,
// cancellation, pings) for long: 64 folders of a hundred entries each take longer than a call.
const DIRS_PER_YIELD = 64;
const MS_PER_YIELD = 2;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Breadth-first walk of a verified directory. Symbolic links are reported, never followed;
// denied entries are invisible; each directory is re-opened O_NOFOLLOW and verified by its
// descriptor, so a directory swapped for a link mid-walk is skipped, not followed out of the root.
// Returns false when the visitor stopped it early.
export async function walkTree(
  start: string,
  options: WalkOptions,
  visit: (entry: WalkEntry) => WalkDecision,
): Promise<boolean> {
  try {
    // The start must be a directory that opens and verifies; later vanishing entries are skipped.
    closeSync(openVerifiedDirFd(start));
  } catch (err) {
    rethrowFileSystemError(err, options.displayPath);
  }
  const queue: { path: string; relative: string; depth: number }[] = [
    { path: start, relative: '', depth: 0 },
  ];
  let dirsRead = 0;
  let sliceStart = performance.now();
  for (let head = 0; head < queue.length; head += 1) {
    const dir = queue[head];
    if (dir === undefined) break;
    const entries = readVerifiedDir(dir.path);
    if (entries === undefined) continue;
    dirsRead += 1;
    if (dirsRead % DIRS_PER_YIELD === 0 || performance.now() - sliceStart > MS_PER_YIELD) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    const depth = dir.depth + 1;
    for (const dirent of entries) {
      const entryPath = dir.path === '/' ? `/${dirent.name}` : `${dir.path}/${dirent.name}`;
      const relative = dir.relative === '' ? dirent.name : `${dir.relative}/${dirent.name}`;
      // Security: deny rules hide secrets from every listing and search, not only from reads.
      if (options.isDenied(entryPath, dirent.name)) continue;
      if (options.exclude?.(relative)) continue;
      const kind = entryKind(dirent);
      const decision = visit({ path: entryPath, relative, name: dirent.name, kind, depth });
      if (decision === 'stop') return false;
      // Security: only real directories are descended into; a symlink to a directory is a leaf.
      if (
        decision === 'continue' &&
        kind === 'directory' &&
        (options.maxDepth === undefined || depth < options.maxDepth)
      ) {
        queue.push({ path: entryPath, relative, depth });
      }
    }
  }
  return true;
}

// The first entry below `start` (relative path) matching `isDenied`, found by a full walk that
// hides nothing; used before moving or deleting a whole directory. It stops at the first denied
// entry, so it never enters a denied directory and the cheap walk check stays exact.
export async function findDeniedEntry(
  start: string,
  isDenied: (absPath: string, name: string) => boolean,
  displayPath: string,
): Promise<string | undefined> {
  let found: string | undefined;
  await walkTree(start, { isDenied: () => false, displayPath }, (entry) => {
    if (!isDenied(entry.path, entry.name)) return 'continue';
    found = entry.relative;
    return 'stop';
  });
  return found;
}
