import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  futimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { bastionTempName, fdDirectoryPath } from '../policy/paths/index.js';
import type { BlobStore } from './blob-store.js';
import type { BeforeState, TreeEntry } from './types.js';
import { lstatOrAbsent, openChildDir } from './verified-parent.js';

type Restorable = Exclude<BeforeState, { kind: 'absent' } | { kind: 'moved' }>;

// Permission bits restored: setuid/setgid are dropped, as the atomic writer drops them.
const RESTORED_MODE_MASK = 0o1777;

const seconds = (ms: number): number => ms / 1000;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

function writeFileAt(
  viaPath: string | Buffer,
  data: Uint8Array,
  mode: number,
  mtimeMs: number,
): void {
  const fd = openSync(
    viaPath,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    for (let offset = 0; offset < data.byteLength;) {
      offset += writeSync(fd, data, offset, data.byteLength - offset);
    }
    fchmodSync(fd, mode & RESTORED_MODE_MASK);
    futimesSync(fd, seconds(Date.now()), seconds(mtimeMs));
    // Durability: the restored bytes are on disk before the rename makes them visible.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// Build a kept tree under a fresh directory of dirFd; every level is created and then opened
// O_NOFOLLOW through its parent's descriptor, so a link swapped in mid-way is never written through.
function buildTree(blobs: BlobStore, topFd: number, entries: readonly TreeEntry[]): void {
  // Keyed by the exact bytes of each directory's relative path (latin1 keeps bytes as is).
  const dirs = new Map<string, number>([['', topFd]]);
  const dirTimes: { fd: number; mode: number; mtimeMs: number }[] = [];
  try {
    for (const entry of entries) {
      const relBytes =
        entry.raw !== undefined ? Buffer.from(entry.raw, 'base64') : Buffer.from(entry.rel, 'utf8');
      const cut = relBytes.lastIndexOf(0x2f);
      const parentKey = cut < 0 ? '' : relBytes.subarray(0, cut).toString('latin1');
      const name = cut < 0 ? relBytes : relBytes.subarray(cut + 1);
      const parentFd = dirs.get(parentKey);
      // Security: a journal entry naming '..' or an absolute path never leaves the staged tree.
      if (parentFd === undefined || name.length === 0 || name.equals(DOT) || name.equals(DOTDOT))
        throw new Error(`history tree entry out of order or malformed at ${entry.rel}`);
      const via = Buffer.concat([Buffer.from(`${fdDirectoryPath(parentFd)}/`), name]);
      switch (entry.kind) {
        case 'dir': {
          mkdirSync(via, 0o700);
          const fd = openSync(via, DIR_FLAGS);
          dirs.set(relBytes.toString('latin1'), fd);
          dirTimes.push({ fd, mode: entry.mode, mtimeMs: entry.mtimeMs });
          break;
        }
        case 'file':
          writeFileAt(via, blobs.read(entry.blob), entry.mode, entry.mtimeMs);
          break;
        case 'symlink':
          symlinkSync(entry.target, via);
          break;
      }
    }
    // Deepest first: a directory's time is set after everything inside it was created.
    for (const dir of dirTimes.reverse()) {
      fchmodSync(dir.fd, dir.mode & RESTORED_MODE_MASK);
      futimesSync(dir.fd, seconds(Date.now()), seconds(dir.mtimeMs));
      fsyncSync(dir.fd);
    }
  } finally {
    for (const [rel, fd] of dirs) if (rel !== '') closeSync(fd);
  }
}

// Write a kept state under a Bastion temp name beside `name` in the open directory dirFd (hidden
// from every listing until renamed into place) and return that temp name.
export function stageState(
  blobs: BlobStore,
  dirFd: number,
  name: string,
  state: Restorable,
): string {
  const temp = bastionTempName(name);
  const via = `${fdDirectoryPath(dirFd)}/${temp}`;
  switch (state.kind) {
    case 'file':
      writeFileAt(via, blobs.read(state.blob), state.mode, state.mtimeMs);
      break;
    case 'symlink':
      symlinkSync(state.target, via);
      break;
    case 'dir': {
      mkdirSync(via, 0o700);
      const fd = openChildDir(dirFd, temp);
      try {
        buildTree(blobs, fd, state.entries);
        fchmodSync(fd, state.mode & RESTORED_MODE_MASK);
        futimesSync(fd, seconds(Date.now()), seconds(state.mtimeMs));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      break;
    }
  }
  return temp;
}

// Remove an entry of an open directory: a file or link, or a whole tree (bottom-up, every level
// opened O_NOFOLLOW through its parent). Absent is fine.
export function removeEntryAt(dirFd: number, name: string | Buffer): void {
  const via = Buffer.concat([Buffer.from(`${fdDirectoryPath(dirFd)}/`), Buffer.from(name)]);
  const stat = lstatOrAbsent(via);
  if (stat === undefined) return;
  if (!stat.isDirectory()) {
    unlinkSync(via);
    return;
  }
  const fd = openSync(via, DIR_FLAGS);
  try {
    for (const child of readdirSync(fdDirectoryPath(fd), { encoding: 'buffer' }))
      removeEntryAt(fd, child);
  } finally {
    closeSync(fd);
  }
  rmdirSync(via);
}
