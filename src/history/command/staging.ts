import {
  chmodSync,
  chownSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { chmod, chown, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { newChangeId } from '../journal.js';

// Where the overlays of running commands keep their writes: <history>/staging/<change id>/, a
// dir per command with an upper and a work dir per read-write root. Under the history store,
// never inside a root (validateHistoryPlacement), and never bound into a sandbox.
export const STAGING_DIR = 'staging';
// Staged writes of commands a crash cut short: kept for the person to look at, never applied.
export const UNAPPLIED_DIR = 'unapplied';

const MetaSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  // running: the command may still write; exited: it is over and its writes may be applied.
  state: z.enum(['running', 'exited']),
  time: z.string(),
  // The process that owns it (and the boot it ran in): a live owner's staging is never touched
  // by another process's recovery (several servers may share one history store).
  pid: z.number().int(),
  boot: z.string(),
  // Who ran the command: written when it has exited with writes to apply.
  tool: z.string().optional(),
  principal: z.string().optional(),
  call: z.string().optional(),
  roots: z.array(
    z.object({
      lower: z.string(),
      upper: z.string(),
      work: z.string(),
      // The sandbox's id of its overlay made ahead (this process only).
      prepared: z.number().int().optional(),
    }),
  ),
});
export type StagedRoot = StagingMeta['roots'][number];
export type StagingMeta = z.infer<typeof MetaSchema>;

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

// True while the process that made a staging dir may still be using it.
export function isOwnerAlive(meta: StagingMeta): boolean {
  if (meta.pid === process.pid) return true;
  if (meta.boot !== bootId()) return false;
  try {
    process.kill(meta.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// One command's staging dir and what it says about itself.
export interface Staging {
  dir: string;
  meta: StagingMeta;
}

// The layout of a new staging dir: an upper and a work dir per root, and its meta.
function layout(historyDir: string, lowers: readonly string[]): Staging {
  const id = newChangeId();
  const dir = path.join(historyDir, STAGING_DIR, id);
  const roots = lowers.map((lower, i) => ({
    lower,
    upper: path.join(dir, `u${i}`),
    work: path.join(dir, `w${i}`),
  }));
  const meta: StagingMeta = {
    id,
    state: 'running',
    time: new Date().toISOString(),
    pid: process.pid,
    boot: bootId(),
    roots,
  };
  return { dir, meta };
}

// Make the staging dir of one command now. Not fsynced: a power cut before the command wrote
// anything loses nothing, and the (volatile) overlay's upper dir is no more durable than this.
export function createStaging(historyDir: string, lowers: readonly string[]): Staging {
  const staging = layout(historyDir, lowers);
  mkdirSync(staging.dir, { recursive: true, mode: 0o700 });
  for (const root of staging.meta.roots) {
    mkdirSync(root.upper, { mode: 0o755 });
    mkdirSync(root.work, { mode: 0o700 });
    // The overlay's top shows the upper dir's owner and mode: the root's own, as outside.
    const top = statSync(root.lower);
    chownSync(root.upper, top.uid, top.gid);
    chmodSync(root.upper, top.mode & 0o7777);
  }
  writeFileSync(path.join(staging.dir, 'meta.json'), JSON.stringify(staging.meta), { mode: 0o600 });
  return staging;
}

// createStaging off the event loop (the pool's refills: a busy disk makes each mkdir cost ms).
export async function createStagingAsync(
  historyDir: string,
  lowers: readonly string[],
): Promise<Staging> {
  const staging = layout(historyDir, lowers);
  await mkdir(staging.dir, { recursive: true, mode: 0o700 });
  for (const root of staging.meta.roots) {
    await mkdir(root.upper, { mode: 0o755 });
    await mkdir(root.work, { mode: 0o700 });
    const top = await stat(root.lower);
    await chown(root.upper, top.uid, top.gid);
    await chmod(root.upper, top.mode & 0o7777);
  }
  await writeFile(path.join(staging.dir, 'meta.json'), JSON.stringify(staging.meta), {
    mode: 0o600,
  });
  return staging;
}

// removeStaging off the event loop; a failure leaves the dir for the next start's recovery
// (its owner is gone by then and its uppers are empty: it is simply removed).
export async function removeStagingAsync(staging: Staging): Promise<void> {
  await rm(staging.dir, { recursive: true, force: true }).catch(() => undefined);
}

// The command is over: its staged writes may be applied. Atomic (temp + rename) but not
// fsynced: the overlay is volatile, so after a power cut the upper dir itself is not to be
// trusted; after a kill of the server, the page cache still holds both.
export function markExited(
  staging: Staging,
  origin: { tool: string; principal?: string; call?: string },
): void {
  staging.meta = { ...staging.meta, ...origin, state: 'exited' };
  const file = path.join(staging.dir, 'meta.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(staging.meta), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

// Remove a staging dir whole (the overlay's work dir holds root-only leftovers; rm handles them).
export function removeStaging(staging: Staging): void {
  rmSync(staging.dir, { recursive: true, force: true });
}

// Move a staging dir aside to <history>/unapplied/<id>, where it stays until removed by hand.
export function setAside(historyDir: string, staging: Staging): string {
  const target = path.join(historyDir, UNAPPLIED_DIR, staging.meta.id);
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  renameSync(staging.dir, target);
  return target;
}

// The staging dirs left by an earlier process (killed, or the machine went down); unreadable
// ones are returned by path so they are reported, not skipped.
export function listLeftovers(historyDir: string): { found: Staging[]; unreadable: string[] } {
  const root = path.join(historyDir, STAGING_DIR);
  const found: Staging[] = [];
  const unreadable: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return { found, unreadable };
  }
  for (const name of names.sort()) {
    const dir = path.join(root, name);
    try {
      const meta = MetaSchema.parse(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')));
      found.push({ dir, meta });
    } catch {
      unreadable.push(dir);
    }
  }
  return { found, unreadable };
}
