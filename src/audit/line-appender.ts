import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';

// Appends whole lines to a file several processes share, and keeps them durable in batches.
export interface LineAppender {
  // Write one line (no trailing newline in `line`) synchronously or throw the OS error. Returns
  // a note when the file had been deleted and was created again.
  append(line: string): { recreated: boolean };
  // Resolves once everything appended so far has been through fdatasync.
  flushed(): Promise<void>;
  close(): void;
}

const NEWLINE = 0x0a;

// O_APPEND makes each write(2) land at the end whatever other processes do, so one whole line
// per write never interleaves with theirs. A short write (a full disk) leaves a fragment; the
// next line then starts with a newline of its own so it is never glued to the fragment.
// Group commit: one fdatasync in flight at a time covers every line written before it started.
export function createLineAppender(file: string, dir: string): LineAppender {
  let fd = open();
  let closed = false;
  let syncing: Promise<void> | null = null;
  let dirty = false;
  let waiters: (() => void)[] = [];

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

  function scheduleSync(): void {
    dirty = true;
    if (syncing) return;
    dirty = false;
    const batch = waiters;
    waiters = [];
    syncing = new Promise<void>((resolve) => {
      fdatasync(fd, () => {
        // A failed sync is not retried here: the next append sees the write error itself.
        syncing = null;
        for (const done of batch) done();
        resolve();
        if ((dirty || waiters.length > 0) && !closed) scheduleSync();
      });
    });
  }

  return {
    append(line) {
      if (closed) throw new Error('the audit log is closed');
      let recreated = false;
      // Security: a log deleted (or renamed away) while serving would swallow every record
      // unseen; nlink 0 means no name points at the file any more: make the file again.
      let stat = fstatSync(fd);
      if (stat.nlink === 0) {
        const next = open();
        closeSync(fd);
        fd = next;
        recreated = true;
        stat = fstatSync(fd);
      }
      const gap = fragmentPending || endsMidLine(stat.size);
      const data = Buffer.from(`${gap ? '\n' : ''}${line}\n`);
      ownEnd = -1;
      writeWhole(data);
      // Only sure when nobody else wrote in between; else the next append reads the byte back.
      ownEnd = stat.size + data.length;
      scheduleSync();
      return { recreated };
    },
    flushed() {
      if (!syncing && !dirty) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        if (syncing) dirty = true;
        else scheduleSync();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        fdatasyncSync(fd);
      } catch {
        // Nothing more can be done for the bytes already written.
      }
      closeSync(fd);
      for (const done of waiters) done();
      waiters = [];
    },
  };
}
