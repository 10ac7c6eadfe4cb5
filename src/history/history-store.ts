import { existsSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { HistoryConfig } from '../config/index.js';
import { FileSystemError } from '../errors/index.js';
import { createBlobStore, hashBytes } from './blob-store.js';
import { captureState, observeState, type CaptureBudget } from './capture.js';
import { ensurePrivateDirectory, writeFileDurable } from './durable-file.js';
import { createChangeJournal, newChangeId } from './journal.js';
import { pruneHistory, type PruneReport } from './retention.js';
import {
  BeforeStateSchema,
  type AfterState,
  type BeforeState,
  type Change,
  type ChangeOrigin,
} from './types.js';
import { discardStaged, entriesAfterUndo, planUndo } from './undo.js';
import { runStep, UndoStepSchema, type UndoStep } from './undo-steps.js';
import type { HistoryGuard } from './verified-parent.js';

// Retention runs at most this often per store, or sooner once this share of maxBytes was added.
const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BYTES_SHARE = 8;

// What a server kept of the paths a change is about to touch (blobs are already on disk).
export interface PreparedChange {
  entries: { path: string; before: BeforeState }[];
  keptBytes: number;
}

// One path a change is about to touch: its before-state is kept unless given (a move says
// where the entry goes; a file known to be new says absent without reading anything).
export interface TouchedPath {
  path: string;
  before?: BeforeState;
}

// An undo written down before its first rename, so a crash mid-way is finished on next open.
const PendingUndoSchema = z.object({
  change: z.object({
    id: z.string(),
    tool: z.string(),
    principal: z.string().optional(),
    call: z.string().optional(),
    undoes: z.string().optional(),
    keptBytes: z.number(),
    befores: z.array(z.object({ path: z.string(), before: BeforeStateSchema })),
  }),
  steps: z.array(UndoStepSchema),
});
type PendingUndo = z.infer<typeof PendingUndoSchema>;

// The history of one Bastion state dir: keep before a change, record after it, list, undo.
export interface HistoryStore {
  readonly dir: string;
  prepare(guard: HistoryGuard, paths: readonly TouchedPath[]): PreparedChange;
  // Write the change to the journal; `after` gives known after-states (others are observed).
  commit(
    guard: HistoryGuard,
    prepared: PreparedChange,
    origin: ChangeOrigin,
    after?: ReadonlyMap<string, AfterState>,
  ): Change;
  list(): Change[];
  find(id: string): Change | undefined;
  undo(guard: HistoryGuard, id: string, options: { force: boolean; origin: ChangeOrigin }): Change;
  // Run steps prepared beforehand (each one rename, content staged beside its target) as change
  // `id`, written down first so a crash mid-way is finished on next open. With no befores the
  // steps run and nothing is journalled (a change applied without history); undefined then.
  applyPlanned(
    guard: HistoryGuard,
    id: string,
    planned: { befores: PreparedChange['entries']; keptBytes: number; steps: UndoStep[] },
    origin: ChangeOrigin,
  ): Change | undefined;
  // True when change `id` is journalled or waits in pending (a crash-interrupted apply).
  isKnown(id: string): boolean;
  // Finish undos a crash interrupted: how many were finished, and why others could not be.
  recover(guard: HistoryGuard): { finished: number; failed: string[] };
  prune(now?: number): PruneReport;
}

// The after-state of content just written by the caller (no need to read it back).
export function writtenState(data: string | Uint8Array): AfterState {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { kind: 'file', hash: hashBytes(bytes), size: bytes.byteLength };
}

// Open (creating private dirs as needed) the history store configured in `history`.
export function openHistoryStore(
  history: Readonly<Omit<HistoryConfig, 'commands' | 'stagingDir'>>,
): HistoryStore {
  const dir = history.dir;
  const tmpDir = path.join(dir, 'tmp');
  const pendingDir = path.join(dir, 'pending');
  for (const sub of ['blobs', 'changes', 'tmp', 'pending'])
    ensurePrivateDirectory(path.join(dir, sub));
  const blobs = createBlobStore(path.join(dir, 'blobs'), tmpDir);
  const journal = createChangeJournal(path.join(dir, 'changes'), tmpDir);
  let lastPrune = 0;
  let addedSincePrune = 0;
  const budget = (): CaptureBudget => ({ remaining: history.maxBytes, limit: history.maxBytes });
  const maybePrune = (): void => {
    const now = Date.now();
    if (
      now - lastPrune < PRUNE_INTERVAL_MS &&
      addedSincePrune < history.maxBytes / PRUNE_BYTES_SHARE
    )
      return;
    store.prune(now);
  };
  const finish = (guard: HistoryGuard, pending: PendingUndo): Change | undefined => {
    for (const step of pending.steps) runStep(guard, step);
    const { befores, ...facts } = pending.change;
    if (befores.length === 0) return undefined;
    const change: Change = {
      ...facts,
      time: new Date().toISOString(),
      entries: entriesAfterUndo(guard, befores),
    };
    journal.append(change);
    return change;
  };
  const runPending = (guard: HistoryGuard, pending: PendingUndo): Change | undefined => {
    const pendingFile = path.join(pendingDir, `${pending.change.id}.json`);
    try {
      // Durability: the plan is on disk before the first rename, so a crash is finished later.
      writeFileDurable(tmpDir, pendingFile, JSON.stringify(pending));
    } catch (err) {
      discardStaged(guard, pending.steps);
      throw err;
    }
    const change = finish(guard, pending);
    unlinkSync(pendingFile);
    addedSincePrune += pending.change.keptBytes;
    maybePrune();
    return change;
  };
  const store: HistoryStore = {
    dir,
    prepare(guard, paths) {
      const limit = budget();
      let keptBytes = 0;
      const entries = paths.map((touched) => {
        if (touched.before !== undefined) return { path: touched.path, before: touched.before };
        const kept = captureState(blobs, guard, touched.path, limit);
        keptBytes += kept.keptBytes;
        return { path: touched.path, before: kept.before };
      });
      return { entries, keptBytes };
    },
    commit(guard, prepared, origin, after) {
      const change: Change = {
        id: newChangeId(),
        time: new Date().toISOString(),
        tool: origin.tool,
        ...(origin.principal !== undefined ? { principal: origin.principal } : {}),
        ...(origin.call !== undefined ? { call: origin.call } : {}),
        keptBytes: prepared.keptBytes,
        entries: prepared.entries.map((e) => ({
          ...e,
          after: after?.get(e.path) ?? observeState(guard, e.path),
        })),
      };
      journal.append(change);
      addedSincePrune += prepared.keptBytes;
      maybePrune();
      return change;
    },
    list: () => journal.list().changes,
    find: (id) => journal.find(id),
    undo(guard, id, options) {
      const original = journal.find(id);
      if (original === undefined)
        throw new FileSystemError(
          'ENOENT',
          `No change ${id} in the history; expected an id from list_changes (or \`bastion history\`).`,
        );
      const plan = planUndo(blobs, guard, original, options.force, budget());
      const pending: PendingUndo = {
        change: {
          id: newChangeId(),
          tool: options.origin.tool,
          ...(options.origin.principal !== undefined
            ? { principal: options.origin.principal }
            : {}),
          ...(options.origin.call !== undefined ? { call: options.origin.call } : {}),
          undoes: original.id,
          keptBytes: plan.keptBytes,
          befores: plan.befores,
        },
        steps: plan.steps,
      };
      const change = runPending(guard, pending);
      if (change === undefined) throw new Error('an undo journals what it restored');
      return change;
    },
    applyPlanned(guard, id, planned, origin) {
      return runPending(guard, {
        change: {
          id,
          tool: origin.tool,
          ...(origin.principal !== undefined ? { principal: origin.principal } : {}),
          ...(origin.call !== undefined ? { call: origin.call } : {}),
          keptBytes: planned.keptBytes,
          befores: planned.befores,
        },
        steps: planned.steps,
      });
    },
    isKnown(id) {
      return existsSync(path.join(pendingDir, `${id}.json`)) || journal.find(id) !== undefined;
    },
    recover(guard) {
      let finished = 0;
      const failed: string[] = [];
      const names = readdirSync(pendingDir).filter((n) => n.endsWith('.json'));
      for (const name of names.sort()) {
        const file = path.join(pendingDir, name);
        try {
          const pending = PendingUndoSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
          finish(guard, pending);
          unlinkSync(file);
          finished += 1;
        } catch (err) {
          // Left in place: a later start (or `bastion undo`) with the right roots finishes it.
          failed.push(`${name}: ${(err as Error).message}`);
        }
      }
      return { finished, failed };
    },
    prune(now = Date.now()) {
      lastPrune = now;
      addedSincePrune = 0;
      return pruneHistory(journal, blobs, history, now);
    },
  };
  return store;
}

// True when a history store has been created under `dir` (the CLI reads without creating one).
export function hasHistoryStore(dir: string): boolean {
  return existsSync(path.join(dir, 'changes'));
}
