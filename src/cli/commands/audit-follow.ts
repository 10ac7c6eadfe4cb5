import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_FILE_NAME, listRotatedFiles } from '../../audit/index.js';

interface Followed {
  fd: number;
  dev: number;
  ino: number;
  offset: number;
  pending: string;
  // Polls left before a rotated file is let go (a writer may not have left it yet).
  polls: number;
}

const POLL_MS = 200;
// A writer that has not yet seen a rotation still appends to the old file until its next record
// or its next periodic check; its raced record lands within a few writes, not seconds.
const DRAIN_POLLS = 25;
const MAX_READ = 8 * 1024 * 1024;

export interface LogFollower {
  // What audit.jsonl held when following began (whole lines): where `tail -n` starts from.
  head: string;
  run(): Promise<never>;
}

// Follow the log as `tail -F` does, by descriptor: whatever is appended to audit.jsonl is passed
// on in whole lines, and when a rotation renames it, the old file is still read to its end (for
// a few more polls, so a writer's last record there is not missed), then every file rotated
// since (several rotations can fall between two polls), then the new audit.jsonl from its
// start. A file truncated in place is read again from its start.
export function followLog(dir: string, onText: (text: string) => void): LogFollower {
  const file = path.join(dir, AUDIT_FILE_NAME);
  // The newest rotated file already read (or there before following began).
  let lastRotated = listRotatedFiles(dir).length > 0 ? numberOf(listRotatedFiles(dir).at(-1)!) : 0;
  let current = openFollowed(file);
  let head = '';
  if (current) {
    head = readNew(current);
    current.pending = '';
  }
  const draining: Followed[] = [];

  function emit(f: Followed): void {
    const text = readNew(f);
    if (text !== '') onText(text);
  }

  function poll(): void {
    for (const old of [...draining]) {
      emit(old);
      old.polls -= 1;
      if (old.polls <= 0) {
        draining.splice(draining.indexOf(old), 1);
        closeSync(old.fd);
      }
    }
    if (current) emit(current);
    const named = statSync(file, { throwIfNoEntry: false });
    if (!named) return;
    if (current && named.ino === current.ino && named.dev === current.dev) return;
    const next = openFollowed(file);
    if (!next) return;
    if (current) draining.push({ ...current, polls: DRAIN_POLLS });
    // The files rotated after the one followed until now, oldest first, read whole.
    for (const name of listRotatedFiles(dir)) {
      const f = openFollowed(path.join(dir, name));
      if (!f) continue;
      const n = numberOf(name);
      const known = draining.some((d) => d.ino === f.ino && d.dev === f.dev);
      if (current && f.ino === current.ino && f.dev === current.dev) lastRotated = n;
      if (known || n <= lastRotated || (f.ino === next.ino && f.dev === next.dev)) {
        closeSync(f.fd);
        continue;
      }
      lastRotated = n;
      emit(f);
      draining.push({ ...f, polls: DRAIN_POLLS });
    }
    current = next;
    emit(current);
  }

  return {
    head,
    run: () =>
      new Promise<never>(() => {
        setInterval(poll, POLL_MS);
      }),
  };
}

function numberOf(rotatedName: string): number {
  return Number(/-(\d+)\.jsonl$/.exec(rotatedName)?.[1] ?? 0);
}

function openFollowed(file: string): Followed | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  const { dev, ino } = fstatSync(fd);
  return { fd, dev, ino, offset: 0, pending: '', polls: 0 };
}

// The whole lines appended since the last read (a torn end is kept for the next one).
function readNew(f: Followed): string {
  const size = fstatSync(f.fd).size;
  if (size < f.offset) {
    f.offset = 0;
    f.pending = '';
  }
  if (size === f.offset) return '';
  const buffer = Buffer.alloc(Math.min(size - f.offset, MAX_READ));
  const read = readSync(f.fd, buffer, 0, buffer.length, f.offset);
  f.offset += read;
  const text = f.pending + buffer.subarray(0, read).toString('utf8');
  const cut = text.lastIndexOf('\n');
  f.pending = text.slice(cut + 1);
  return cut >= 0 ? text.slice(0, cut) : '';
}
