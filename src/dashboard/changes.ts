import { lstatSync } from 'node:fs';
import { beginCall, type AuditCaller, type AuditSink } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { BastionError } from '../errors/index.js';
import {
  hasHistoryStore,
  isSameState,
  observeState,
  openHistoryStore,
  summarizeChange,
  type AfterState,
  type Change,
  type ChangeSummary,
  type HistoryStore,
} from '../history/index.js';
import { createPathGuard } from '../policy/paths/index.js';

// How many of the newest changes the page lists (each is checked against the disk).
export const MAX_LISTED_CHANGES = 20;

// A change as the page lists it: whether the Undo button is offered, and why not.
export interface ListedChange extends ChangeSummary {
  undoable: boolean;
  reason?: string;
}

export type UndoResult =
  | { ok: true; undone: string; change: ListedChange }
  | { ok: false; status: 404 | 409 | 503; error: string; code: string };

// Recent changes from the history the files server keeps, and undo as `bastion undo` does it
// (same guard on the configured roots, same audit record), for the dashboard's Undo button.
export interface ChangesSource {
  readonly enabled: boolean;
  list(): ListedChange[];
  undo(id: string, caller: AuditCaller): Promise<UndoResult>;
}

type Guard = ReturnType<typeof createPathGuard>;
type Observe = (path: string) => AfterState;

// Paths whose observed state is remembered (beyond it the memo starts over).
const MAX_OBSERVED = 1_000;

// What a path is now, hashed again only when its inode, size or times moved: the page asks
// after every burst of calls, and re-hashing big files each time would cost more than the call.
// The undo itself re-checks every path through the guard, without this memo.
function createObserver(guard: Guard): Observe {
  const memo = new Map<string, { key: string; state: AfterState }>();
  return (p) => {
    let key: string;
    try {
      const st = lstatSync(p, { bigint: true });
      key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.mode}`;
    } catch {
      key = 'absent';
    }
    const hit = memo.get(p);
    if (hit?.key === key) return hit.state;
    const state = observeState(guard, p);
    if (memo.size >= MAX_OBSERVED) memo.clear();
    memo.set(p, { key, state });
    return state;
  };
}

// Why a change cannot be undone now (without force), or undefined when it can.
function blockerOf(
  guard: Guard,
  observe: Observe,
  change: Change,
  undone: ReadonlySet<string>,
): string | undefined {
  if (undone.has(change.id)) return 'already undone';
  for (const entry of change.entries) {
    // Security: only paths in a read-write root and not denied, as for the CLI and the agent.
    if (guard.rootFor(entry.path)?.mode !== 'read-write' || guard.isDenied(entry.path))
      return 'outside the writable roots';
  }
  try {
    for (const entry of change.entries)
      if (!isSameState(observe(entry.path), entry.after)) return 'changed since';
  } catch {
    return 'a folder it restores into is gone';
  }
  return undefined;
}

export function createChangesSource(config: Config, audit: AuditSink): ChangesSource {
  const enabled = config.history.enabled;
  const guard = createPathGuard(config);
  const observe = createObserver(guard);
  let store: HistoryStore | undefined;
  // The files server opened (and checked the placement of) the same store at hub start.
  const open = (): HistoryStore | undefined => {
    if (!enabled) return undefined;
    if (!store && hasHistoryStore(config.history.dir)) store = openHistoryStore(config.history);
    return store;
  };
  const listed = (change: Change, undone: ReadonlySet<string>): ListedChange => {
    const reason = blockerOf(guard, observe, change, undone);
    return {
      ...summarizeChange(change),
      undoable: reason === undefined,
      ...(reason ? { reason } : {}),
    };
  };
  const undoneIds = (all: readonly Change[]): Set<string> =>
    new Set(all.flatMap((c) => (c.undoes ? [c.undoes] : [])));
  return {
    enabled,
    list() {
      const history = open();
      if (!history) return [];
      const all = history.list();
      const undone = undoneIds(all);
      return all
        .slice(-MAX_LISTED_CHANGES)
        .reverse()
        .map((c) => listed(c, undone));
    },
    async undo(id, caller) {
      const history = open();
      const target = history?.find(id);
      if (!history || !target)
        return { ok: false, status: 404, code: 'ENOENT', error: `No change ${id} in the history.` };
      const reason = blockerOf(guard, observe, target, undoneIds(history.list()));
      if (reason !== undefined)
        return {
          ok: false,
          status: 409,
          code: 'NOT_UNDOABLE',
          error: `Change ${id} cannot be undone from here: ${reason}.`,
        };
      let call;
      try {
        // No effect without a record: the intent is written first, as for `bastion undo`.
        call = await beginCall(audit, {
          server: 'history',
          tool: 'undo',
          args: { id, force: false },
          client: 'dashboard',
          caller,
        });
      } catch (err) {
        const code = err instanceof BastionError ? err.code : 'INTERNAL';
        return {
          ok: false,
          status: 503,
          code,
          error: 'The audit log cannot be written; nothing was undone.',
        };
      }
      try {
        const change = history.undo(guard, id, {
          force: false,
          origin: {
            tool: 'undo',
            ...(caller.principal ? { principal: caller.principal } : {}),
            call: call.call,
          },
        });
        await call.finish({ decision: 'allow', outcome: 'ok', details: { change: change.id } });
        return { ok: true, undone: id, change: listed(change, new Set()) };
      } catch (err) {
        const code = err instanceof BastionError ? err.code : 'INTERNAL';
        await call.finish({ decision: 'error', outcome: 'error', errorCode: code });
        // Known errors say what was wrong; anything else only its audit reference.
        const message =
          err instanceof BastionError
            ? err.message
            : `The undo of change ${id} failed (ref ${call.call}).`;
        return { ok: false, status: 409, code, error: message };
      }
    },
  };
}
