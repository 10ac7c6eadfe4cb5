import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bastionTempName, fdDirectoryPath } from '../../policy/paths/index.js';
import type { TouchedPath } from '../history-store.js';
import { discardStep, type UndoStep } from '../undo-steps.js';
import { lstatOrAbsent, openVerifiedParent, type HistoryGuard } from '../verified-parent.js';

// Permission bits a command's file may bring to the host. Security: setuid and setgid are
// dropped (and xattrs such as security.capability are never copied), so nothing a command left
// runs with the server's uid on the host, even if the seccomp filter were bypassed.
const APPLIED_MODE_MASK = 0o1777;
const COPY_CHUNK = 1024 * 1024;
const seconds = (ms: number): number => ms / 1000;

// What a command's upper dir asks to change in one root, ready to run: each step one rename of
// content already staged (as a hidden temp) beside its target, or one discard.
export interface UpperPlan {
  touched: TouchedPath[];
  steps: UndoStep[];
  // Entries not applied (sockets, device nodes), by real path.
  refused: string[];
  // Files that had more than one name in the upper dir: each name gets its own copy.
  hardLinked: number;
  // Fifos made again in the root: applied, but history keeps no fifo (paths).
  fifos: string[];
}

// An overlay whiteout: a character device 0:0 (see the kernel's overlayfs.rst).
function isWhiteout(stat: Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0;
}

// Copy a regular file of the upper dir to a new file at `via` (O_EXCL, never through a link),
// with its owner, permission bits (setuid/setgid dropped) and times, synced before any rename.
function copyFileTo(src: string, stat: Stats, via: string, buffer: Buffer): void {
  const from = openSync(src, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const to = openSync(
      via,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      for (;;) {
        const read = readSync(from, buffer, 0, buffer.length, null);
        if (read === 0) break;
        for (let off = 0; off < read;) off += writeSync(to, buffer, off, read - off);
      }
      fchownSync(to, stat.uid, stat.gid);
      fchmodSync(to, stat.mode & APPLIED_MODE_MASK);
      futimesSync(to, seconds(stat.atimeMs), seconds(stat.mtimeMs));
      // Durability: the bytes are on disk before the rename makes them visible.
      fsyncSync(to);
    } finally {
      closeSync(to);
    }
  } finally {
    closeSync(from);
  }
}

// A fifo is ordinary work (build tools make them); Node cannot make one, coreutils' mkfifo can.
// The path goes through /proc/<our pid>/fd, so the parent checked by descriptor is the one used.
const MKFIFO = ['/usr/bin/mkfifo', '/bin/mkfifo'] as const;

function makeFifo(via: string, stat: Stats): boolean {
  const ours = via.replace(/^\/proc\/self\//, `/proc/${process.pid}/`);
  for (const program of MKFIFO) {
    const made = spawnSync(program, ['-m', (stat.mode & 0o777).toString(8), '--', ours], {
      stdio: 'ignore',
      timeout: 5_000,
      env: {},
    });
    if (made.error === undefined) return made.status === 0;
  }
  return false;
}

interface CopyContext {
  buffer: Buffer;
  refused: string[];
  hardLinked: { count: number };
}

// Copy an upper dir that replaces (or creates) a dir of the root into a new dir at `via`:
// everything below it comes from the upper dir alone (an opaque or new dir hides the root's).
function copyTreeTo(src: string, stat: Stats, via: string, real: string, ctx: CopyContext): void {
  mkdirSync(via, 0o700);
  const fd = openSync(via, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    for (const name of readdirSync(src).sort()) {
      const child = path.join(src, name);
      const childStat = lstatSync(child);
      const childVia = `${fdDirectoryPath(fd)}/${name}`;
      if (childStat.isFile()) {
        if (childStat.nlink > 1) ctx.hardLinked.count += 1;
        copyFileTo(child, childStat, childVia, ctx.buffer);
      } else if (childStat.isSymbolicLink()) symlinkSync(readlinkSync(child), childVia);
      else if (childStat.isDirectory())
        copyTreeTo(child, childStat, childVia, path.join(real, name), ctx);
      else if (childStat.isFIFO() && makeFifo(childVia, childStat)) continue;
      else if (!isWhiteout(childStat)) ctx.refused.push(path.join(real, name));
    }
    fchownSync(fd, stat.uid, stat.gid);
    fchmodSync(fd, stat.mode & APPLIED_MODE_MASK);
    futimesSync(fd, seconds(stat.atimeMs), seconds(stat.mtimeMs));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// Walk one root's upper dir and stage what it changed beside each target. A dir the upper dir
// only passes through (copied up, not opaque) is walked; a new or opaque dir, a file, a link
// replaces its target whole; a whiteout removes it.
export function planUpper(
  guard: HistoryGuard,
  upper: string,
  lower: string,
  isOpaque: (dir: string) => boolean,
): UpperPlan {
  const plan: UpperPlan = { touched: [], steps: [], refused: [], hardLinked: 0, fifos: [] };
  const ctx: CopyContext = {
    buffer: Buffer.allocUnsafe(COPY_CHUNK),
    refused: plan.refused,
    hardLinked: { count: 0 },
  };
  const walk = (upperDir: string, realDir: string): void => {
    const names = readdirSync(upperDir).sort();
    if (names.length === 0) return;
    // Security: the real dir is opened O_NOFOLLOW and proven by its descriptor, inside a root
    // this guard may write: a dir swapped for a link since the command is never written through.
    const parent = openVerifiedParent(guard, realDir, 'write');
    try {
      for (const name of names) {
        const up = path.join(upperDir, name);
        const real = path.join(realDir, name);
        const stat = lstatSync(up);
        const now = lstatOrAbsent(parent.via(name));
        if (isWhiteout(stat)) {
          if (now === undefined) continue;
          plan.touched.push({ path: real });
          plan.steps.push(discardStep(realDir, name));
          continue;
        }
        if (stat.isDirectory() && now?.isDirectory() && !isOpaque(up)) {
          walk(up, real);
          continue;
        }
        const temp = bastionTempName(name);
        const via = parent.via(temp);
        const isFifo = stat.isFIFO() && makeFifo(via, stat);
        if (!isFifo && !stat.isDirectory() && !stat.isFile() && !stat.isSymbolicLink()) {
          plan.refused.push(real);
          continue;
        }
        if (isFifo) plan.fifos.push(real);
        else if (stat.isFile()) {
          if (stat.nlink > 1) ctx.hardLinked.count += 1;
          copyFileTo(up, stat, via, ctx.buffer);
        } else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(up), via);
        else copyTreeTo(up, stat, via, real, ctx);
        plan.touched.push(
          now === undefined ? { path: real, before: { kind: 'absent' } } : { path: real },
        );
        // A dir cannot be renamed over a non-dir (nor the reverse): the old entry goes first.
        if (now !== undefined && (now.isDirectory() || stat.isDirectory()))
          plan.steps.push(discardStep(realDir, name));
        plan.steps.push({ op: 'put', dir: realDir, name, temp });
      }
    } finally {
      parent.close();
    }
  };
  walk(upper, lower);
  plan.hardLinked = ctx.hardLinked.count;
  return plan;
}

// The size of what an upper dir holds, to tell "changed nothing" at the cost of one readdir.
export function isUpperEmpty(upper: string): boolean {
  return readdirSync(upper).length === 0;
}
