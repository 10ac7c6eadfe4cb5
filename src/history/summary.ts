import type { AfterState, BeforeState, Change } from './types.js';

// One touched path as listed to people and agents: what it was and became, with sizes.
export interface PathSummary {
  path: string;
  before: BeforeState['kind'];
  after: AfterState['kind'];
  beforeSize?: number;
  afterSize?: number;
  // For a move: where the entry went.
  movedTo?: string;
}

// A change as listed: no blob hashes, only what a person needs to pick one to undo.
export interface ChangeSummary {
  id: string;
  time: string;
  tool: string;
  principal?: string;
  call?: string;
  undoes?: string;
  keptBytes: number;
  paths: PathSummary[];
}

function sizeBefore(before: BeforeState): number | undefined {
  if (before.kind === 'file') return before.size;
  if (before.kind === 'dir')
    return before.entries.reduce((sum, e) => sum + (e.kind === 'file' ? e.size : 0), 0);
  return undefined;
}

// The listing form of a change.
export function summarizeChange(change: Change): ChangeSummary {
  return {
    id: change.id,
    time: change.time,
    tool: change.tool,
    ...(change.principal !== undefined ? { principal: change.principal } : {}),
    ...(change.call !== undefined ? { call: change.call } : {}),
    ...(change.undoes !== undefined ? { undoes: change.undoes } : {}),
    keptBytes: change.keptBytes,
    paths: change.entries.map((entry) => {
      const beforeSize = sizeBefore(entry.before);
      return {
        path: entry.path,
        before: entry.before.kind,
        after: entry.after.kind,
        ...(beforeSize !== undefined ? { beforeSize } : {}),
        ...(entry.after.kind === 'file' ? { afterSize: entry.after.size } : {}),
        ...(entry.before.kind === 'moved' ? { movedTo: entry.before.to } : {}),
      };
    }),
  };
}

// Every path a change touched (a move also touches where the entry went).
export function pathsOf(change: Change): string[] {
  return change.entries.map((e) => e.path);
}
