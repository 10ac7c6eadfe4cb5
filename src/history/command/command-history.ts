import path from 'node:path';
import { formatDisplayPath } from '../../policy/paths/index.js';
import type { HistoryStore, PreparedChange, TouchedPath } from '../history-store.js';
import type { Change, ChangeOrigin } from '../types.js';
import { discardStaged } from '../undo.js';
import type { UndoStep } from '../undo-steps.js';
import type { HistoryGuard } from '../verified-parent.js';
import {
  createStaging,
  isOwnerAlive,
  listLeftovers,
  markExited,
  removeStaging,
  setAside,
  UNAPPLIED_DIR,
  type Staging,
} from './staging.js';
import type { StagingPool } from './staging-pool.js';
import { isUpperEmpty, planUpper } from './upper-plan.js';

import type { StagedRoot } from './staging.js';

// What became of a command's writes: the change that keeps them (when there was one and it
// could be kept), and notes for the person and the agent on anything not kept or not applied.
export interface CommandOutcome {
  change?: Change;
  // Paths the command changed (applied), whether kept or not.
  changedPaths: number;
  notes: string[];
}

// A command about to run with history: the overlays to mount, then finish() once it has exited
// (or abandon() when it never started).
export interface CommandRun {
  readonly overlays: readonly StagedRoot[];
  // Apply the staged writes to the roots, keeping what they replace. `overlaid`: the lowers the
  // sandbox actually covered (any other root was written directly, and is said so).
  finish(overlaid: readonly string[]): CommandOutcome;
  abandon(): void;
}

// What a history of commands needs from outside history/: whether an upper dir is opaque (the
// sandbox's launcher reads the overlay's xattr, which Node cannot).
export interface CommandHistoryDeps {
  store: HistoryStore;
  guard: HistoryGuard;
  isOpaque: (dir: string) => boolean;
  // Staging dirs made ahead and removed behind (absent: made and removed on the command's path).
  pool?: StagingPool;
  // Where staging/ and unapplied/ live (bastion.history.stagingDir); default the store's dir.
  stagingBase?: string;
}

// Plan every root's upper dir, keep what the plan replaces, then run it as one change.
function applyStaging(deps: CommandHistoryDeps, staging: Staging): CommandOutcome {
  const { store, guard } = deps;
  const notes: string[] = [];
  const touched: TouchedPath[] = [];
  const steps: UndoStep[] = [];
  const refused: string[] = [];
  const fifos = new Set<string>();
  let hardLinked = 0;
  try {
    for (const root of staging.meta.roots) {
      const plan = planUpper(guard, root.upper, root.lower, deps.isOpaque);
      touched.push(...plan.touched);
      steps.push(...plan.steps);
      refused.push(...plan.refused);
      hardLinked += plan.hardLinked;
      for (const fifo of plan.fifos) fifos.add(fifo);
    }
  } catch (err) {
    discardStaged(guard, steps);
    throw err;
  }
  if (refused.length > 0)
    notes.push(
      `Not applied (sockets and device nodes never leave the sandbox): ${refused.map((p) => formatDisplayPath(p)).join(', ')}.`,
    );
  if (hardLinked > 0)
    notes.push(
      `${hardLinked} hard-linked file name(s) were written: each name now has its own copy (links made or written by a command are not kept as links).`,
    );
  if (steps.length === 0) {
    removeStaging(staging);
    return { changedPaths: 0, notes };
  }
  // Security: deny rules hold for history too: a protected path is applied (the command could
  // create it) but its content is never kept or listed.
  const keepable = touched.filter((t) => !guard.isDenied(t.path) && !fifos.has(t.path));
  const denied = touched.filter((t) => guard.isDenied(t.path)).length;
  if (denied > 0)
    notes.push(
      `${denied} path(s) protected by the deny rules were changed and are not kept in history.`,
    );
  if (fifos.size > 0)
    notes.push(
      `${fifos.size} fifo(s) were made in the roots; history keeps no fifo (not undoable).`,
    );
  let prepared: PreparedChange = { entries: [], keptBytes: 0 };
  try {
    prepared = store.prepare(guard, keepable);
  } catch (err) {
    notes.push(
      `The command's changes were applied but NOT kept for undo: ${(err as Error).message.replace(/ nothing was changed\.?/, '')}`,
    );
  }
  const { meta } = staging;
  const origin: ChangeOrigin = {
    tool: meta.tool ?? 'run_command',
    ...(meta.principal !== undefined ? { principal: meta.principal } : {}),
    ...(meta.call !== undefined ? { call: meta.call } : {}),
  };
  const change = store.applyPlanned(
    guard,
    meta.id,
    { befores: prepared.entries, keptBytes: prepared.keptBytes, steps },
    origin,
  );
  removeStaging(staging);
  return { ...(change !== undefined ? { change } : {}), changedPaths: touched.length, notes };
}

// A failed apply: the staged writes are set aside (never lost, never half-applied silently).
function failedOutcome(historyDir: string, staging: Staging, err: unknown): CommandOutcome {
  let where = '';
  try {
    where = ` They are kept in Bastion's staging dir under ${UNAPPLIED_DIR}/${path.basename(setAside(historyDir, staging))}.`;
  } catch {
    where = ` They stay in Bastion's history dir under staging/${staging.meta.id}.`;
  }
  return {
    changedPaths: 0,
    notes: [
      `The command's file changes could not all be applied to the roots (${(err as Error).message}).${where} ` +
        'An apply that had been written down is finished at the next start.',
    ],
  };
}

// Start a command with history: a staging dir with an upper and work dir per read-write root.
export function beginCommand(
  deps: CommandHistoryDeps,
  origin: ChangeOrigin,
  lowers: readonly string[],
): CommandRun {
  const historyDir = deps.stagingBase ?? deps.store.dir;
  const staging = deps.pool?.take(lowers) ?? createStaging(historyDir, lowers);
  return {
    overlays: staging.meta.roots,
    finish(overlaid) {
      const notes: string[] = [];
      const covered = new Set(overlaid);
      const direct = staging.meta.roots.filter((r) => !covered.has(r.lower));
      if (direct.length > 0)
        notes.push(
          `Changes in ${direct.map((r) => formatDisplayPath(r.lower)).join(', ')} were made directly and are not kept for undo (the root holds a nested root or a path-specific deny rule the overlay cannot cover).`,
        );
      try {
        // The cheap case first: nothing staged in any root, nothing to keep or apply.
        if (staging.meta.roots.every((r) => isUpperEmpty(r.upper))) {
          if (deps.pool !== undefined) deps.pool.release(staging);
          else removeStaging(staging);
          return { changedPaths: 0, notes };
        }
        markExited(staging, origin);
        const outcome = applyStaging(deps, staging);
        return { ...outcome, notes: [...notes, ...outcome.notes] };
      } catch (err) {
        const failed = failedOutcome(historyDir, staging, err);
        return { ...failed, notes: [...notes, ...failed.notes] };
      }
    },
    abandon() {
      if (deps.pool !== undefined) deps.pool.release(staging);
      else removeStaging(staging);
    },
  };
}

// At start: what earlier processes left in staging. A command that had exited has its writes
// applied now (and kept); one a crash cut short is set aside under unapplied/, never applied
// half-done; one already applied (journalled, or pending in the store) is just removed.
// `beforeApply` runs before each apply (the caller's audit record of intent: it may throw, and
// the staging dir then stays for a later start).
export function recoverStagedCommands(
  deps: CommandHistoryDeps,
  beforeApply: (meta: Staging['meta']) => void = () => undefined,
): {
  applied: string[];
  setAside: string[];
  failed: string[];
} {
  const report = { applied: [] as string[], setAside: [] as string[], failed: [] as string[] };
  const base = deps.stagingBase ?? deps.store.dir;
  const { found, unreadable } = listLeftovers(base);
  report.failed.push(...unreadable.map((dir) => `${dir}: unreadable staging dir (left in place)`));
  for (const staging of found) {
    if (isOwnerAlive(staging.meta)) continue;
    try {
      const empty = staging.meta.roots.every((r) => isUpperEmpty(r.upper));
      // Applied already, or nothing staged (a dir made ahead, a command that wrote nothing).
      if (deps.store.isKnown(staging.meta.id) || empty) removeStaging(staging);
      else if (staging.meta.state === 'running') report.setAside.push(setAside(base, staging));
      else {
        beforeApply(staging.meta);
        const outcome = applyStaging(deps, staging);
        report.applied.push(
          `${staging.meta.id}${outcome.change !== undefined ? '' : ' (not kept)'}${outcome.notes.length > 0 ? `: ${outcome.notes.join(' ')}` : ''}`,
        );
      }
    } catch (err) {
      report.failed.push(`${staging.dir}: ${(err as Error).message}`);
    }
  }
  return report;
}
