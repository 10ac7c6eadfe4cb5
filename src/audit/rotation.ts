import {
  closeSync,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';

export const AUDIT_FILE_NAME = 'audit.jsonl';
export const ROTATION_LOCK_FILE = 'audit-rotate.lock';

// audit-<first record's time, to the minute>-<n>.jsonl; n orders the files, the time is for people.
const ROTATED = /^audit-(\d{4}-\d{2}-\d{2}T\d{4}Z)-(\d{4,})\.jsonl$/;

export function rotatedFileName(firstRecordTime: string, n: number): string {
  const stamp = `${firstRecordTime.slice(0, 13)}${firstRecordTime.slice(14, 16)}Z`;
  return `audit-${stamp}-${String(n).padStart(4, '0')}.jsonl`;
}

export function isRotatedFileName(name: string): boolean {
  return ROTATED.test(name);
}

// The rotated files of a log folder, oldest first (by their sequence number).
export function listRotatedFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, n: ROTATED.exec(name)?.[2] }))
    .filter((e): e is { name: string; n: string } => e.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n))
    .map((e) => e.name);
}

// Every file of the log in the order its records were written: the rotated files, then the
// current audit.jsonl (when it exists).
export function listLogFiles(dir: string): string[] {
  const files = listRotatedFiles(dir);
  if (existsSync(path.join(dir, AUDIT_FILE_NAME))) files.push(AUDIT_FILE_NAME);
  return files;
}

// The sequence number of a rotated file's name (NaN for another name).
export function rotatedNumberOf(name: string): number {
  const n = ROTATED.exec(name)?.[2];
  return n === undefined ? NaN : Number(n);
}

export function nextRotatedNumber(dir: string): number {
  const last = listRotatedFiles(dir).at(-1);
  return last ? rotatedNumberOf(last) + 1 : 1;
}

// The name a rotated file has now, found by its inode (a writer that was not the one rotating
// learns this way where its last records went). Null when no rotated file is that inode.
export function findRotatedName(dir: string, dev: number, ino: number): string | null {
  for (const name of listRotatedFiles(dir).reverse()) {
    try {
      const stat = statSync(path.join(dir, name));
      if (stat.ino === ino && stat.dev === dev) return name;
    } catch {
      // Removed while we looked.
    }
  }
  return null;
}

// The `time` of the first record of an open log file: the writer lays every record out with
// `time` first, so 64 bytes hold it. Null for an empty file or one that starts otherwise.
export function readFirstRecordTime(fd: number): string | null {
  const head = Buffer.alloc(64);
  const length = readSync(fd, head, 0, head.length, 0);
  const match = /^\{"time":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^"]*)"/.exec(
    head.subarray(0, length).toString('utf8'),
  );
  return match ? match[1]! : null;
}

// A lock older than this is a crashed rotator's: rotation is a rename and an open, never slow.
const STALE_LOCK_MS = 10_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Run `fn` holding the folder's rotation lock (an O_EXCL lock file with the holder's pid), so two
// writers never rotate the same file twice or pick the same number. Returns false without
// running `fn` when another process holds the lock: that writer is rotating right now.
export function withRotationLock(dir: string, fn: () => void): boolean {
  const lock = path.join(dir, ROTATION_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const stale = staleLockOf(lock);
      if (!stale) return false;
      removeLock(lock, stale);
      continue;
    }
    const own = fstatSync(fd);
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      fn();
    } finally {
      removeLock(lock, own);
    }
    return true;
  }
  return false;
}

// Security: lost records. Only the lock file that was judged (or made) is removed: a lock gone
// meanwhile may already be another writer's, and removing that one let two writers rotate at
// once (the second's rename can replace the first's rotated file) and failed the first's write.
function removeLock(lock: string, judged: Stats): void {
  try {
    const now = lstatSync(lock);
    if (now.ino === judged.ino && now.dev === judged.dev) unlinkSync(lock);
  } catch {
    // Gone already: nothing of ours to remove.
  }
}

// The lock's stat when it is a crashed (or stuck) holder's, else null: held by a live process,
// or released since (its holder rotated; this writer follows at its next append).
function staleLockOf(lock: string): Stats | null {
  try {
    const stat = lstatSync(lock);
    const pid = Number(readFileSync(lock, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) return stat;
    return Date.now() - stat.mtimeMs > STALE_LOCK_MS ? stat : null;
  } catch {
    return null;
  }
}
