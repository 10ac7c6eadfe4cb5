import type { HistoryConfig } from '../config/index.js';
import type { BlobStore } from './blob-store.js';
import type { ChangeJournal } from './journal.js';
import type { Change } from './types.js';

// A blob no change references is removed only once it is this old: a change in flight (here or
// in another process) has written its blobs but not yet its journal entry.
export const UNREFERENCED_GRACE_MS = 10 * 60 * 1000;

// What one pass of retention removed and what is left.
export interface PruneReport {
  removedChanges: number;
  removedBlobs: number;
  keptBytes: number;
  keptChanges: number;
}

// Every blob a change needs to be undone.
export function blobsOf(change: Change): string[] {
  const hashes: string[] = [];
  for (const entry of change.entries) {
    if (entry.before.kind === 'file') hashes.push(entry.before.blob);
    if (entry.before.kind === 'dir')
      for (const e of entry.before.entries) if (e.kind === 'file') hashes.push(e.blob);
  }
  return hashes;
}

// Drop changes older than maxAgeDays, then the oldest ones until the content they keep fits in
// maxBytes, then the blobs nothing references any more (past the grace period).
export function pruneHistory(
  journal: ChangeJournal,
  blobs: BlobStore,
  limits: Pick<HistoryConfig, 'maxBytes' | 'maxAgeDays'>,
  now: number,
): PruneReport {
  const { changes } = journal.list();
  const cutoff = now - limits.maxAgeDays * 24 * 60 * 60 * 1000;
  const stored = blobs.list();
  const sizes = new Map(stored.map((b) => [b.hash, b.size]));
  const refs = new Map<string, number>();
  let bytes = 0;
  const add = (change: Change, delta: 1 | -1): void => {
    for (const hash of new Set(blobsOf(change))) {
      const count = (refs.get(hash) ?? 0) + delta;
      if (count === 0 || (delta === 1 && count === 1)) bytes += delta * (sizes.get(hash) ?? 0);
      if (count === 0) refs.delete(hash);
      else refs.set(hash, count);
    }
  };
  let removedChanges = 0;
  const kept: Change[] = [];
  for (const change of changes) {
    if (Date.parse(change.time) < cutoff) {
      journal.remove(change);
      removedChanges += 1;
    } else {
      kept.push(change);
      add(change, 1);
    }
  }
  while (bytes > limits.maxBytes && kept.length > 0) {
    const oldest = kept.shift()!;
    add(oldest, -1);
    journal.remove(oldest);
    removedChanges += 1;
  }
  let removedBlobs = 0;
  for (const blob of stored) {
    if (refs.has(blob.hash) || now - blob.mtimeMs < UNREFERENCED_GRACE_MS) continue;
    blobs.remove(blob.hash);
    removedBlobs += 1;
  }
  return { removedChanges, removedBlobs, keptBytes: bytes, keptChanges: kept.length };
}
