import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidStateFileError } from '../../errors/index.js';

export interface FileLockOptions {
  // Give up after this long (default 5 s): a writer never waits forever.
  timeoutMs?: number;
  // A lock file that names no live pid and is older than this is stale (default 10 s): covers
  // a writer that died between creating the file and writing its pid.
  unreadableStaleMs?: number;
}

const POLL_MS = 15;

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user; it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(lockFile: string): string | undefined {
  try {
    return readFileSync(lockFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// Whether the lock's holder is gone: its pid is dead, or it never wrote one long ago.
function isStale(lockFile: string, content: string, unreadableStaleMs: number): boolean {
  const match = /^([1-9][0-9]{0,9}) [0-9a-f]+\n$/.exec(content);
  if (match) return !isProcessAlive(Number(match[1]));
  try {
    return Date.now() - statSync(lockFile).mtimeMs > unreadableStaleMs;
  } catch {
    return false;
  }
}

function tryCreate(lockFile: string, content: string): boolean {
  let fd: number;
  try {
    // Security: concurrent writers. O_CREAT|O_EXCL is atomic: exactly one process creates the
    // lock, so two CLIs never read-modify-write the token file at once and lose a token.
    fd = openSync(lockFile, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

// Run `action` holding an exclusive lock file (pid + nonce inside); a lock whose pid is dead is
// taken over, and waiting is bounded. Released (removed) however `action` ends.
export async function withFileLock<T>(
  lockFile: string,
  action: () => Promise<T> | T,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const unreadableStaleMs = options.unreadableStaleMs ?? 10_000;
  const content = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  while (!tryCreate(lockFile, content)) {
    const held = readLock(lockFile);
    if (held !== undefined && isStale(lockFile, held, unreadableStaleMs)) {
      // Re-read just before removing, so a lock someone else took over in between survives.
      if (readLock(lockFile) === held) rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline)
      throw new InvalidStateFileError(
        `expected to lock ${lockFile} within ${timeoutMs} ms, got it held by ${held ? `pid ${held.split(' ')[0]}` : 'another process'} (remove the file if no bastion command is running)`,
      );
    await sleep(POLL_MS);
  }
  try {
    return await action();
  } finally {
    // Only our own lock is removed: a holder declared stale by mistake keeps its takeover's.
    if (readLock(lockFile) === content) rmSync(lockFile, { force: true });
  }
}
