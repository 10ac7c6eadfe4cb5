import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import {
  findRotatedName,
  nextRotatedNumber,
  readFirstRecordTime,
  rotatedFileName,
  withRotationLock,
} from './rotation.js';

// When the current file is rotated: before a line would take it past `maxBytes`, and once its
// first record is `maxDays` UTC days old. `now` is the clock (tests move it).
export interface RotationPolicy {
  maxBytes: number;
  maxDays: number;
  now: () => number;
}

export interface LineAppenderOptions {
  rotation?: RotationPolicy;
  // Called before the next line is written when this writer's file stopped being the current
  // log because it was rotated (by this process or another); `rotatedAs` is its name now. It
  // may throw: the line is then not written, and the next append does not call it again.
  onLeave?: (rotatedAs: string) => void;
}

// Appends whole lines to a file several processes share, and keeps them durable in batches.
export interface LineAppender {
  // Write one line (no trailing newline in `line`) synchronously or throw the OS error. Returns
  // a note when the file had been deleted (or moved away) and was created again.
  append(line: string): { recreated: boolean };
  // Follow a rotation made by another process now rather than at the next append (an idle
  // writer still says where its records went).
  refresh(): void;
  // Resolves once everything appended so far has been through fdatasync.
  flushed(): Promise<void>;
  close(): void;
}

const NEWLINE = 0x0a;
const SYNC_WINDOW_MS = 10;
const DAY_MS = 86_400_000;

// O_APPEND makes each write(2) land at the end whatever other processes do, so one whole line
// per write never interleaves with theirs. A short write (a full disk) leaves a fragment; the
// next line then starts with a newline of its own so it is never glued to the fragment.
// Group commit: one fdatasync in flight at a time covers every line written before it.
// Rotation: a writer renames the file under the folder's rotation lock; every writer compares
// the file's inode with its own before each line, and one whose file was renamed syncs it,
// reports where it went (onLeave) and reopens audit.jsonl, so each writer's last line in a
// rotated file comes before its report, and no line is lost or written twice.
export function createLineAppender(
  file: string,
  dir: string,
  options: LineAppenderOptions = {},
): LineAppender {
  let fd = open();
  let { dev, ino } = fstatSync(fd);
  let closed = false;
  let syncing: Promise<void> | null = null;
  let dirty = false;
  let waiters: (() => void)[] = [];
  // The first record's time of the file `fd` is, once read (day rotation), and the ms it is due.
  let dueAt: number | null = null;
  // A re-creation found by refresh(), reported by the next append.
  let recreatedUnreported = false;

  function open(): number {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // a+: appends go to the end (O_APPEND) and the last byte can still be read back.
    return openSync(file, 'a+', 0o600);
  }

  // Where this process's last line ended: when the file still ends there, it ends with our
  // newline and need not be read back.
  let ownEnd = -1;

  function endsMidLine(size: number): boolean {
    if (size === 0 || size === ownEnd) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== NEWLINE;
  }

  let fragmentPending = false;

  // Leave the file `fd` is for the one now named audit.jsonl. The old file is synced first (its
  // lines are durable before anyone says where they are); it is closed once no sync uses it.
  function reopen(): void {
    const old = fd;
    fd = open();
    ({ dev, ino } = fstatSync(fd));
    ownEnd = -1;
    fragmentPending = false;
    dueAt = null;
    try {
      fdatasyncSync(old);
    } catch {
      // Its lines were written; nothing more can be done for them.
    }
    closeWhenUnused(old);
  }

  function closeWhenUnused(old: number): void {
    const closeOld = (): void => {
      try {
        closeSync(old);
      } catch {
        // Already closed: nothing to release.
      }
    };
    if (syncing) void syncing.then(closeOld);
    else closeOld();
  }

  // The stat of the current audit.jsonl after making sure `fd` is it: a file renamed away by a
  // rotation is left for the new one (onLeave); a deleted or moved one is made again.
  function current(): { stat: Stats; recreated: boolean } {
    const named = statSync(file, { throwIfNoEntry: false });
    if (named && named.ino === ino && named.dev === dev) return { stat: named, recreated: false };
    const own = fstatSync(fd);
    // Security: a log deleted (or renamed away) while serving would swallow every record
    // unseen; nlink 0 means no name points at the file any more: make the file again.
    const rotatedAs = own.nlink > 0 ? findRotatedName(dir, own.dev, own.ino) : null;
    reopen();
    if (rotatedAs !== null) options.onLeave?.(rotatedAs);
    return { stat: fstatSync(fd), recreated: rotatedAs === null };
  }

  function isDue(stat: Stats, bytes: number): boolean {
    const rotation = options.rotation;
    if (!rotation || stat.size === 0) return false;
    if (stat.size + bytes > rotation.maxBytes) return true;
    if (dueAt === null) {
      const first = readFirstRecordTime(fd);
      // A file not started by this writer's format is rotated by size only.
      dueAt = first ? Date.parse(first.slice(0, 10)) + rotation.maxDays * DAY_MS : Infinity;
    }
    return rotation.now() >= dueAt;
  }

  // Rename the current file to its rotated name, unless another writer is doing it or already
  // did (then this one follows at the next append).
  function rotate(): boolean {
    let rotatedAs: string | null = null;
    withRotationLock(dir, () => {
      const named = statSync(file, { throwIfNoEntry: false });
      if (!named || named.ino !== ino || named.dev !== dev) return;
      const first =
        readFirstRecordTime(fd) ?? new Date(options.rotation?.now() ?? Date.now()).toISOString();
      const name = rotatedFileName(first, nextRotatedNumber(dir));
      renameSync(file, path.join(dir, name));
      rotatedAs = name;
    });
    if (rotatedAs === null) return false;
    reopen();
    options.onLeave?.(rotatedAs);
    return true;
  }

  function writeWhole(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      const written = writeSync(fd, data, offset, data.length - offset);
      // Anything written but not the whole line leaves a fragment behind.
      if (written < data.length - offset) fragmentPending = true;
      offset += written;
    }
    fragmentPending = false;
  }

  // Group commit with a window: the first line after a sync waits up to SYNC_WINDOW_MS for
  // others to join its fdatasync. Back-to-back calls then share one sync (and one wake-up of a
  // pool thread) instead of each starting its own, which cost a read call about 20% of its
  // latency here; a power cut can lose the records of that window, a process crash none.
  let windowTimer: NodeJS.Timeout | null = null;

  function startSync(): void {
    dirty = false;
    const batch = waiters;
    waiters = [];
    syncing = new Promise<void>((resolve) => {
      fdatasync(fd, () => {
        // A failed sync is not retried here: the next append sees the write error itself.
        syncing = null;
        for (const done of batch) done();
        resolve();
        // Someone waiting on flushed() does not wait out a window too.
        if ((dirty || waiters.length > 0) && !closed) scheduleSync(waiters.length > 0);
      });
    });
  }

  function scheduleSync(now = false): void {
    dirty = true;
    if (syncing) return;
    if (windowTimer !== null) {
      if (!now) return;
      clearTimeout(windowTimer);
      windowTimer = null;
    }
    if (now) {
      startSync();
      return;
    }
    windowTimer = setTimeout(() => {
      windowTimer = null;
      if (!closed) startSync();
    }, SYNC_WINDOW_MS);
    windowTimer.unref();
  }

  return {
    append(line) {
      if (closed) throw new Error('the audit log is closed');
      let { stat, recreated } = current();
      if (recreatedUnreported) {
        recreated = true;
        recreatedUnreported = false;
      }
      const body = Buffer.from(`${line}\n`);
      if (isDue(stat, body.length + 1)) {
        if (rotate()) stat = fstatSync(fd);
        else {
          const again = current();
          stat = again.stat;
          recreated ||= again.recreated;
        }
      }
      const gap = fragmentPending || endsMidLine(stat.size);
      const data = gap ? Buffer.concat([Buffer.from('\n'), body]) : body;
      ownEnd = -1;
      writeWhole(data);
      // Only sure when nobody else wrote in between; else the next append reads the byte back.
      ownEnd = stat.size + data.length;
      scheduleSync();
      return { recreated };
    },
    refresh() {
      if (closed) return;
      const named = statSync(file, { throwIfNoEntry: false });
      if (named && (named.ino !== ino || named.dev !== dev) && fstatSync(fd).nlink > 0)
        recreatedUnreported ||= current().recreated;
    },
    flushed() {
      // After close() every line has been through its final fdatasync.
      if (closed || (!syncing && !dirty)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        if (syncing) dirty = true;
        else scheduleSync(true);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      if (windowTimer !== null) clearTimeout(windowTimer);
      windowTimer = null;
      try {
        fdatasyncSync(fd);
      } catch {
        // Nothing more can be done for the bytes already written.
      }
      closeWhenUnused(fd);
      for (const done of waiters) done();
      waiters = [];
    },
  };
}
