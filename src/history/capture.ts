import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  type Stats,
} from 'node:fs';
import { InvalidInputError, LimitExceededError } from '../errors/index.js';
import { fdDirectoryPath, formatDisplayPath, isBastionTempName } from '../policy/paths/index.js';
import type { BlobStore } from './blob-store.js';
import type { AfterState, BeforeState, TreeEntry } from './types.js';
import { lstatOrAbsent, openChildDir, withParent, type HistoryGuard } from './verified-parent.js';

const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

// How much content one change may keep: history.maxBytes (a change bigger than the whole store
// is refused rather than made without a way back).
export interface CaptureBudget {
  remaining: number;
  readonly limit: number;
}

// What was kept of one path, and how many content bytes that took.
export interface Captured {
  before: BeforeState;
  keptBytes: number;
}

function spend(budget: CaptureBudget, bytes: number, display: string): void {
  budget.remaining -= bytes;
  if (budget.remaining < 0)
    throw new LimitExceededError(
      `Keeping ${formatDisplayPath(display)} for undo would take more than the history limit of ` +
        `${budget.limit} bytes (bastion.history.maxBytes); nothing was changed. Change smaller parts, ` +
        'or ask the operator to raise the limit.',
    );
}

// Open a regular file through its parent's descriptor (no link followed) and keep its content.
function keepFile(
  blobs: BlobStore,
  viaPath: string | Buffer,
  budget: CaptureBudget,
  display: string,
) {
  const fd = openSync(viaPath, FILE_FLAGS);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new InvalidInputError(`Expected a regular file, got another kind: ${display}.`);
    spend(budget, stat.size, display);
    const blob = blobs.putFromFd(fd);
    return { blob: blob.hash, size: blob.size, mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

// The exact bytes of a child path reached through a descriptor (names need not be UTF-8).
function viaBytes(dirFd: number, name: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${fdDirectoryPath(dirFd)}/`), name]);
}

// `rel` for display and matching, plus `raw` when the bytes do not survive UTF-8.
function relFields(relBytes: Buffer): { rel: string; raw?: string } {
  const rel = relBytes.toString('utf8');
  return Buffer.from(rel, 'utf8').equals(relBytes)
    ? { rel }
    : { rel, raw: relBytes.toString('base64') };
}

// Keep every entry below an open directory, depth first, each one reached through its parent's
// descriptor by its exact bytes. Bastion's own temp leftovers are skipped; special files refuse
// the whole capture.
function keepTree(
  blobs: BlobStore,
  dirFd: number,
  prefix: Buffer,
  out: TreeEntry[],
  budget: CaptureBudget,
  display: string,
): void {
  const entries = readdirSync(fdDirectoryPath(dirFd), { withFileTypes: true, encoding: 'buffer' });
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const dirent of entries) {
    if (isBastionTempName(dirent.name.toString('latin1'))) continue;
    const relBytes =
      prefix.length === 0 ? dirent.name : Buffer.concat([prefix, Buffer.from('/'), dirent.name]);
    const rel = relFields(relBytes);
    const via = viaBytes(dirFd, dirent.name);
    if (dirent.isSymbolicLink()) {
      out.push({ kind: 'symlink', ...rel, target: readlinkSync(via, 'utf8') });
    } else if (dirent.isFile()) {
      out.push({ kind: 'file', ...rel, ...keepFile(blobs, via, budget, display) });
    } else if (dirent.isDirectory()) {
      // Security: opened O_NOFOLLOW through the parent: a directory swapped for a link is refused.
      const child = openSync(via, DIR_FLAGS);
      try {
        const stat = fstatSync(child);
        out.push({ kind: 'dir', ...rel, mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs });
        keepTree(blobs, child, relBytes, out, budget, display);
      } finally {
        closeSync(child);
      }
    } else {
      throw new InvalidInputError(
        `${formatDisplayPath(display)} holds a special file (${rel.rel}) that history cannot keep; nothing was changed.`,
      );
    }
  }
}

// Keep what absPath is now (read through verified descriptors), before a change replaces it.
export function captureState(
  blobs: BlobStore,
  guard: HistoryGuard,
  absPath: string,
  budget: CaptureBudget,
): Captured {
  return withParent(guard, absPath, 'read', (dir, name) => {
    const stat = lstatOrAbsent(dir.via(name));
    const start = budget.remaining;
    const kept = (): number => start - budget.remaining;
    if (stat === undefined) return { before: { kind: 'absent' }, keptBytes: 0 };
    if (stat.isSymbolicLink())
      return { before: { kind: 'symlink', target: readlinkSync(dir.via(name)) }, keptBytes: 0 };
    if (stat.isFile()) {
      const file = keepFile(blobs, dir.via(name), budget, absPath);
      return { before: { kind: 'file', ...file }, keptBytes: kept() };
    }
    if (stat.isDirectory()) {
      const fd = openChildDir(dir.fd, name);
      try {
        const top = fstatSync(fd);
        const entries: TreeEntry[] = [];
        keepTree(blobs, fd, Buffer.alloc(0), entries, budget, absPath);
        return {
          before: { kind: 'dir', mode: top.mode & 0o7777, mtimeMs: top.mtimeMs, entries },
          keptBytes: kept(),
        };
      } finally {
        closeSync(fd);
      }
    }
    throw new InvalidInputError(
      `${formatDisplayPath(absPath)} is a special file that history cannot keep; nothing was changed.`,
    );
  });
}

function hashFd(fd: number): string {
  const hasher = createHash('sha256');
  const buffer = Buffer.allocUnsafe(256 * 1024);
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, null);
    if (read === 0) break;
    hasher.update(buffer.subarray(0, read));
  }
  return hasher.digest('hex');
}

// What absPath is now, in the form a change records as its after-state.
export function observeState(guard: HistoryGuard, absPath: string): AfterState {
  return withParent(guard, absPath, 'read', (dir, name) => observeVia(dir.via(name)));
}

// observeState for an entry already reached through a verified parent descriptor.
export function observeVia(
  viaPath: string | Buffer,
  stat: Stats | undefined = lstatOrAbsent(viaPath),
) {
  if (stat === undefined) return { kind: 'absent' } as const;
  if (stat.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(viaPath) } as const;
  if (stat.isDirectory()) return { kind: 'dir', ino: stat.ino } as const;
  if (!stat.isFile())
    throw new InvalidInputError('Expected a file, directory or link, got a special file.');
  const fd = openSync(viaPath, FILE_FLAGS);
  try {
    return { kind: 'file', hash: hashFd(fd), size: fstatSync(fd).size } as const;
  } finally {
    closeSync(fd);
  }
}

// True when a path's state now is the one a change left (a directory: same inode when known).
export function isSameState(now: AfterState, recorded: AfterState): boolean {
  switch (recorded.kind) {
    case 'absent':
      return now.kind === 'absent';
    case 'file':
      return now.kind === 'file' && now.hash === recorded.hash && now.size === recorded.size;
    case 'dir':
      return now.kind === 'dir' && (recorded.ino === undefined || now.ino === recorded.ino);
    case 'symlink':
      return now.kind === 'symlink' && now.target === recorded.target;
  }
}
