import { closeSync, lstatSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isBastionTempName, isInside, isStaleTemp } from '../../../policy/paths/index.js';
import type { PathGuard } from '../../../policy/paths/index.js';
import { removeTree } from './remove-tree.js';
import { openVerifiedDirFd, viaFd } from './verified-dir.js';
import { findDeniedEntry, walkTree, type WalkEntry } from './walk.js';

// How far one sweep may go: entries walked, wall time, and (for one folder) depth.
export interface SweepLimits {
  maxEntries: number;
  maxMs: number;
  maxDepth?: number;
}

// What a sweep did; `complete` is false when a limit stopped it before every entry was seen.
export interface SweepReport {
  removed: number;
  walked: number;
  complete: boolean;
}

// The start sweep stays short on big roots; folders it did not reach are swept when written.
export const START_SWEEP_LIMITS: SweepLimits = Object.freeze({ maxEntries: 50_000, maxMs: 2_000 });

// Remove one stale temp entry through its verified parent descriptor; false when it is live,
// changed kind, or is a directory holding something the deny rules protect.
async function removeIfStale(
  entry: WalkEntry,
  isDenied: (absPath: string, name: string) => boolean,
  now: number,
): Promise<boolean> {
  const parentFd = openVerifiedDirFd(path.dirname(entry.path));
  try {
    const stat = lstatSync(viaFd(parentFd, entry.name));
    if (!isStaleTemp(entry.name, stat.mtimeMs, now)) return false;
    if (stat.isFile()) {
      unlinkSync(viaFd(parentFd, entry.name));
      return true;
    }
    // Security: links and special files named like temps are someone else's; never touched.
    if (!stat.isDirectory()) return false;
    // Security: a staged copy never holds a denied entry (copies skip them), so one that does was
    // planted; keep it rather than delete a secret as a side effect.
    if ((await findDeniedEntry(entry.path, isDenied, entry.path)) !== undefined) return false;
    await removeTree(parentFd, Buffer.from(entry.name), { ops: 0 });
    return true;
  } finally {
    closeSync(parentFd);
  }
}

// Remove the temp files and staged copies that crashed writers (this server's predecessors, or
// other servers on the same roots) left behind. Walks the read-write roots (or `starts`) through
// verified descriptors without following links, never enters denied or read-only directories,
// and removes only entries whose name is Bastion's temp pattern and whose writer is provably
// gone or which are older than STALE_TEMP_AGE_MS (see isStaleTemp). Bounded by `limits`.
export async function sweepStaleTemps(
  guard: PathGuard,
  isDenied: (absPath: string, name: string) => boolean,
  limits: SweepLimits,
  starts?: readonly string[],
): Promise<SweepReport> {
  const now = Date.now();
  const deadline = now + limits.maxMs;
  const report: SweepReport = { removed: 0, walked: 0, complete: true };
  const isWritable = (absPath: string): boolean => guard.rootFor(absPath)?.mode === 'read-write';
  const writableRoots = guard.roots.filter((r) => r.mode === 'read-write').map((r) => r.path);
  // A root nested in another writable root is walked with its outer root.
  const walkStarts =
    starts ??
    writableRoots.filter((p) => !writableRoots.some((outer) => outer !== p && isInside(p, outer)));
  for (const start of walkStarts) {
    const found: WalkEntry[] = [];
    const options = {
      isDenied,
      displayPath: start,
      ...(limits.maxDepth !== undefined ? { maxDepth: limits.maxDepth } : {}),
    };
    await walkTree(start, options, (entry) => {
      report.walked += 1;
      if (report.walked > limits.maxEntries || Date.now() > deadline) {
        report.complete = false;
        return 'stop';
      }
      if (isBastionTempName(entry.name)) {
        if (entry.kind === 'file' || entry.kind === 'directory') found.push(entry);
        return 'skip';
      }
      // Security: a read-only root nested in a writable one is never written, not even to clean.
      if (entry.kind === 'directory' && !isWritable(entry.path)) return 'skip';
      return 'continue';
    });
    for (const entry of found) {
      if (!isWritable(entry.path)) continue;
      try {
        if (await removeIfStale(entry, isDenied, now)) report.removed += 1;
      } catch {
        // Vanished, swapped or not removable: leave it for a later sweep.
      }
    }
    if (!report.complete) break;
  }
  return report;
}
