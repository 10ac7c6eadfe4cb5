// Undo for the files server: content-addressed blobs, the change journal, retention, restore.
export { openHistoryStore, hasHistoryStore, writtenState } from './history-store.js';
export type { HistoryStore, PreparedChange, TouchedPath } from './history-store.js';
export { validateHistoryPlacement } from './placement.js';
export { hashBytes } from './blob-store.js';
export type { PruneReport } from './retention.js';
export type { HistoryGuard } from './verified-parent.js';
export {
  ChangeSchema,
  type AfterState,
  type BeforeState,
  type Change,
  type ChangeEntry,
  type ChangeOrigin,
} from './types.js';
export { summarizeChange, pathsOf, type ChangeSummary, type PathSummary } from './summary.js';
// What a path is now, compared with a change's after-state (is a change still undoable as is).
export { isSameState, observeState } from './capture.js';
export {
  beginCommand,
  recoverStagedCommands,
  type CommandHistoryDeps,
  type CommandOutcome,
  type CommandRun,
} from './command/command-history.js';
export { createStagingPool, type StagingPool } from './command/staging-pool.js';
