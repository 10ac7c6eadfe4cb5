import type { Dir, Stats } from 'node:fs';
import type { Root } from '../../config/index.js';

// What a caller means to do with a path; 'write' adds the read-only-root and write-through checks.
export type PathIntent = 'read' | 'write';

// A validated path: `path` is the canonical real path (for a missing path, the real path of its
// deepest existing ancestor plus the remaining plain components), `root` the deepest root holding it.
export interface ResolvedPath {
  path: string;
  root: Root;
  exists: boolean;
}

// The read side of an open descriptor: positional reads and close (a subset of FileHandle, so
// a FileHandle also fits). Close exactly once.
export interface ReadHandle {
  readonly fd: number;
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

// A regular file opened read-only, verified through its file descriptor to be inside the roots.
export interface OpenedFile {
  handle: ReadHandle;
  path: string;
  root: Root;
  stat: Stats;
}

// A directory listing stream of the directory that was verified, not of whatever a path names now.
export interface OpenedDirectory {
  dir: Dir;
  path: string;
  root: Root;
}

// How writeFileAtomic treats an existing target.
export type WriteMode = 'overwrite' | 'create' | 'append';

// The outcome of an atomic write; `bytesWritten` counts the caller's data only.
export interface WriteResult {
  path: string;
  bytesWritten: number;
  created: boolean;
}

// The single gate every file tool goes through: validation, canonicalisation, roots, deny rules.
export interface PathGuard {
  // Effective roots: the configured ones, possibly narrowed by the client's MCP roots.
  readonly roots: readonly Root[];
  // Narrow the effective roots to the client's MCP roots (file:// URIs or absolute paths). Never
  // widens: a client root inside a configured root narrows to it (keeping that root's mode); one
  // containing a configured root keeps the configured root; unrelated or missing ones are ignored.
  // If no client root overlaps (including an empty list) the effective roots become EMPTY and
  // every path is refused. `undefined` resets to the configured roots.
  setClientRoots(rawUris: readonly string[] | undefined): void;
  // Run `run` with the effective roots narrowed (as setClientRoots narrows) for it alone: its
  // async work sees them, other calls on this guard do not. `undefined` leaves the roots as is.
  withClientRoots<T>(rawUris: readonly string[] | undefined, run: () => Promise<T>): Promise<T>;
  // Validate and canonicalise; throws PathOutsideRootsError | PathDeniedError | InvalidInputError
  // (or a FileSystemError for ELOOP/EACCES met while resolving).
  resolve(rawPath: string, intent: PathIntent): Promise<ResolvedPath>;
  // Open a regular file O_NOFOLLOW|O_NONBLOCK and verify the opened descriptor's real path.
  openForRead(rawPath: string): Promise<OpenedFile>;
  // Open a directory O_NOFOLLOW, verify the descriptor, and list that very directory.
  openDirectory(rawPath: string): Promise<OpenedDirectory>;
  // Temp file + fsync + rename in a verified directory; the target is old or new, never torn.
  writeFileAtomic(
    rawPath: string,
    data: string | Uint8Array,
    // staged: the target lies in a copy being staged under a temp name (copy-file.ts).
    options?: { mode?: WriteMode; staged?: boolean },
  ): Promise<WriteResult>;
  // True when absPath or one of its ancestors up to its root matches a deny pattern (relative to
  // the root, or as an absolute path). Case-insensitive. A relative absPath is always denied.
  // Use it to hide denied entries from listings and searches.
  isDenied(absPath: string): boolean;
  // The deepest effective root containing absPath, by whole path segments.
  rootFor(absPath: string): Root | undefined;
}
