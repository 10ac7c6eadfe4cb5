import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';

// How old a temp entry must be before a sweep removes it when its writer cannot be identified
// (another host sharing the root, another pid namespace, a pid reused, a pre-owner-tag name).
// A live write is bounded by maxWriteBytes and finishes in seconds; an hour leaves a wide margin.
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

// How often the atomic writer re-reads one folder looking for stale siblings.
const FOLDER_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const FOLDER_SWEEP_MEMO_MAX = 4096;

// `.<name>.bastion-<host>-<pid>-<process>-<random>.tmp`: the owner (host tag, pid, per-process
// tag) lets a sweep tell a crashed writer's leftovers from a live write of another server.
const TEMP_NAME =
  /^\..+\.bastion-([0-9a-f]{8})-([1-9][0-9]{0,9})-([0-9a-f]{8})-[0-9a-f]{16}\.tmp$/s;
// Names written before the owner tag existed: only ever judged by age.
const LEGACY_TEMP_NAME = /^\..*\.bastion-[0-9a-f]{16}\.tmp$/s;

// Same boot of the same kernel and same pid namespace: only then does a pid in a name mean the
// same process to us. Falls back to a random tag (matching nobody) where /proc is missing.
function hostTag(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    return createHash('sha256').update(`${boot}\0${pidNamespace}`).digest('hex').slice(0, 8);
  } catch {
    return randomBytes(4).toString('hex');
  }
}

// Constants of this process (computed once, never changed): a later process with the same pid
// (a container's pid 1 restarted) gets another PROCESS_TAG, so its predecessor's temps read stale.
const HOST_TAG = hostTag();
const PROCESS_TAG = randomBytes(4).toString('hex');

// True for a temp file or directory made by Bastion (an atomic write, a tree copy being staged);
// a string test only, cheap enough for every listed entry. Listings never show these names.
export function isBastionTempName(name: string): boolean {
  return (
    name.endsWith('.tmp') &&
    name.charCodeAt(0) === 0x2e &&
    (TEMP_NAME.test(name) || LEGACY_TEMP_NAME.test(name))
  );
}

// Every temp name holds this; text without it cannot name one.
export const TEMP_NAME_MARK = '.bastion-';

// True when a '/'-separated relative path has a Bastion temp name as one of its components.
export function hasBastionTempSegment(relativePath: string): boolean {
  return relativePath.includes(TEMP_NAME_MARK) && relativePath.split('/').some(isBastionTempName);
}

// A fresh temp name beside `name`, owned by this process; kept under NAME_MAX (255 bytes).
export function bastionTempName(name: string): string {
  const base = Buffer.byteLength(name) > 150 ? name.slice(0, 37) : name;
  const random = randomBytes(8).toString('hex');
  return `.${base}.bastion-${HOST_TAG}-${process.pid}-${PROCESS_TAG}-${random}.tmp`;
}

function isProcessGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists under another user. Only ESRCH proves it is gone.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// Whether a temp entry (by name and mtime) can be removed without breaking a write in flight.
// Ours (this process): never, it is live. Same host and pid namespace: stale once its writer is
// gone (or was an earlier process with our pid). Anyone else: stale after STALE_TEMP_AGE_MS.
export function isStaleTemp(name: string, mtimeMs: number, now: number): boolean {
  const owner = TEMP_NAME.exec(name);
  if (owner !== null && owner[1] === HOST_TAG) {
    const pid = Number(owner[2]);
    if (pid === process.pid) return owner[3] !== PROCESS_TAG;
    if (isProcessGone(pid)) return true;
  } else if (owner === null && !LEGACY_TEMP_NAME.test(name)) {
    return false;
  }
  return now - mtimeMs >= STALE_TEMP_AGE_MS;
}

// When each folder was last swept by one guard's writer (real path -> time).
export type FolderSweeps = Map<string, number>;

// Remove the stale temp FILES among the entries of a directory named through its verified
// descriptor (`dirVia`, /proc/self/fd/<fd>). Temp directories (staged copies) are left to the
// files server's sweep, which checks deny rules inside them. Errors leave the entry in place.
export async function sweepStaleTempFiles(dirVia: string, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dirVia);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!isBastionTempName(name)) continue;
    try {
      const stat = await lstat(`${dirVia}/${name}`);
      // Security: only regular files; a link named like a temp is never followed or removed.
      if (!stat.isFile() || !isStaleTemp(name, stat.mtimeMs, now)) continue;
      await unlink(`${dirVia}/${name}`);
      removed += 1;
    } catch {
      // Vanished or not removable: leave it for a later sweep.
    }
  }
  return removed;
}

// Sweep a folder's stale temp files at most once per FOLDER_SWEEP_INTERVAL_MS per guard, so a
// busy folder is not re-read on every write.
export async function sweepFolderOnce(
  sweeps: FolderSweeps,
  dirReal: string,
  dirVia: string,
): Promise<void> {
  const now = Date.now();
  const last = sweeps.get(dirReal);
  if (last !== undefined && now - last < FOLDER_SWEEP_INTERVAL_MS) return;
  if (sweeps.size >= FOLDER_SWEEP_MEMO_MAX) sweeps.clear();
  sweeps.set(dirReal, now);
  await sweepStaleTempFiles(dirVia, now);
}
