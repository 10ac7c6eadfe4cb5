import path from 'node:path';
import { ChangedSinceError, InvalidInputError } from '../errors/index.js';
import { formatDisplayPath } from '../policy/paths/index.js';
import type { BlobStore } from './blob-store.js';
import { captureState, isSameState, observeState, type CaptureBudget } from './capture.js';
import { removeEntryAt, stageState } from './stage.js';
import type { BeforeState, Change, ChangeEntry } from './types.js';
import { discardStep, type UndoStep } from './undo-steps.js';
import { openVerifiedParent, validateGuarded, type HistoryGuard } from './verified-parent.js';

// An undo ready to run: every step is one rename (content already staged beside its target),
// and `entries` hold what each path is now (kept), so the undo can itself be undone.
export interface UndoPlan {
  steps: UndoStep[];
  befores: { path: string; before: BeforeState }[];
  keptBytes: number;
}

// Paths the undo would touch that changed since the change was made.
function findChangedSince(guard: HistoryGuard, change: Change): string[] {
  const changed: string[] = [];
  for (const entry of change.entries) {
    if (!isSameState(observeState(guard, entry.path), entry.after)) changed.push(entry.path);
  }
  return changed;
}

// Remove what was staged for a plan that will not run (best effort: leftovers are hidden and swept).
export function discardStaged(guard: HistoryGuard, steps: readonly UndoStep[]): void {
  for (const step of steps) {
    if (step.op !== 'put') continue;
    try {
      const dir = openVerifiedParent(guard, step.dir, 'write');
      try {
        removeEntryAt(dir.fd, step.temp);
      } finally {
        dir.close();
      }
    } catch {
      // Left for the temp sweep.
    }
  }
}

// Check, keep and stage everything an undo of `change` needs; nothing visible changes yet.
export function planUndo(
  blobs: BlobStore,
  guard: HistoryGuard,
  change: Change,
  force: boolean,
  budget: CaptureBudget,
): UndoPlan {
  // Security: every path of the change must be in a root this caller may write, or none is touched.
  for (const entry of change.entries) validateGuarded(guard, entry.path, 'write');
  if (!force) {
    const changed = findChangedSince(guard, change);
    if (changed.length > 0)
      throw new ChangedSinceError(
        `Expected the paths of change ${change.id} to be as the change left them, but ${changed.map((p) => formatDisplayPath(p)).join(', ')} changed since; nothing was undone. Undo with force to restore anyway (what is there now is kept in history).`,
        changed,
      );
  }
  const movedAway = new Map<string, string>();
  for (const entry of change.entries)
    if (entry.before.kind === 'moved') movedAway.set(entry.before.to, entry.path);
  const moves: UndoStep[] = [];
  const discards: UndoStep[] = [];
  const puts: UndoStep[] = [];
  const befores: UndoPlan['befores'] = [];
  let keptBytes = 0;
  try {
    for (const entry of change.entries) {
      const dir = path.dirname(entry.path);
      const name = path.basename(entry.path);
      const movesTo = movedAway.get(entry.path);
      const now = observeState(guard, entry.path);
      if (movesTo !== undefined) {
        befores.push({ path: entry.path, before: { kind: 'moved', to: movesTo } });
      } else {
        const kept = captureState(blobs, guard, entry.path, budget);
        keptBytes += kept.keptBytes;
        befores.push({ path: entry.path, before: kept.before });
      }
      const occupied = now.kind !== 'absent' && movesTo === undefined;
      const before = entry.before;
      switch (before.kind) {
        case 'moved':
          if (occupied) discards.push(discardStep(dir, name));
          moves.push({
            op: 'move',
            fromDir: path.dirname(before.to),
            from: path.basename(before.to),
            dir,
            name,
          });
          break;
        case 'absent':
          if (occupied) discards.push(discardStep(dir, name));
          break;
        case 'file':
        case 'dir':
        case 'symlink': {
          if (occupied && (now.kind === 'dir' || before.kind === 'dir'))
            discards.push(discardStep(dir, name));
          const parent = openVerifiedParent(guard, dir, 'write');
          try {
            puts.push({ op: 'put', dir, name, temp: stageState(blobs, parent.fd, name, before) });
          } finally {
            parent.close();
          }
          break;
        }
      }
    }
  } catch (err) {
    discardStaged(guard, puts);
    throw err;
  }
  if (moves.length + discards.length + puts.length === 0)
    throw new InvalidInputError(`Change ${change.id} left nothing to undo.`);
  return { steps: [...moves, ...discards, ...puts], befores, keptBytes };
}

// The journal entries of a finished undo: what each path was (planned) and is now (observed).
export function entriesAfterUndo(guard: HistoryGuard, befores: UndoPlan['befores']): ChangeEntry[] {
  return befores.map(({ path: p, before }) => ({
    path: p,
    before,
    after: observeState(guard, p),
  }));
}
