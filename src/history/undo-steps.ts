import { renameSync } from 'node:fs';
import { FileSystemError } from '../errors/index.js';
import { bastionTempName, formatDisplayPath } from '../policy/paths/index.js';
import { z } from 'zod';
import { removeEntryAt } from './stage.js';
import {
  lstatOrAbsent,
  openVerifiedParent,
  syncDir,
  type HistoryGuard,
} from './verified-parent.js';

// One step of an undo, all prepared beforehand so that each one is a single rename:
// - put: a staged temp replaces (or creates) `name` in `dir`;
// - move: an entry goes back from (fromDir, from) to (dir, name), which must be absent;
// - discard: `name` is renamed to the hidden `temp` and then removed.
export const UndoStepSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), dir: z.string(), name: z.string(), temp: z.string() }),
  z.object({
    op: z.literal('move'),
    fromDir: z.string(),
    from: z.string(),
    dir: z.string(),
    name: z.string(),
  }),
  z.object({ op: z.literal('discard'), dir: z.string(), name: z.string(), temp: z.string() }),
]);
export type UndoStep = z.infer<typeof UndoStepSchema>;

// A discard step for `name` in `dir` (its temp name chosen now, so a resumed undo knows it).
export function discardStep(dir: string, name: string): UndoStep {
  return { op: 'discard', dir, name, temp: bastionTempName(name) };
}

// Run one step. Each is idempotent, so a crashed undo can be resumed from its plan: a step whose
// source is already gone was done before the crash.
export function runStep(guard: HistoryGuard, step: UndoStep): void {
  const dir = openVerifiedParent(guard, step.dir, 'write');
  try {
    switch (step.op) {
      case 'put': {
        if (lstatOrAbsent(dir.via(step.temp)) === undefined) return;
        const target = lstatOrAbsent(dir.via(step.name));
        // A directory in the way was discarded by an earlier step; anything else is replaced.
        if (target?.isDirectory()) removeEntryAt(dir.fd, step.name);
        renameSync(dir.via(step.temp), dir.via(step.name));
        break;
      }
      case 'move': {
        const from = openVerifiedParent(guard, step.fromDir, 'write');
        try {
          if (lstatOrAbsent(from.via(step.from)) === undefined) return;
          if (lstatOrAbsent(dir.via(step.name)) !== undefined)
            throw new FileSystemError(
              'EEXIST',
              `${formatDisplayPath(`${step.dir}/${step.name}`)} exists again; the entry cannot be moved back over it.`,
            );
          renameSync(from.via(step.from), dir.via(step.name));
          syncDir(from);
        } finally {
          from.close();
        }
        break;
      }
      case 'discard': {
        if (lstatOrAbsent(dir.via(step.name)) !== undefined)
          renameSync(dir.via(step.name), dir.via(step.temp));
        removeEntryAt(dir.fd, step.temp);
        break;
      }
    }
    // Durability: the rename reaches the disk before the next step or the journal entry.
    syncDir(dir);
  } finally {
    dir.close();
  }
}
