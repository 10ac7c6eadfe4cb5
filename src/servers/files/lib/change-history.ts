import type { AfterState, Change, TouchedPath } from '../../../history/index.js';
import type { ToolCallInfo } from '../../shared/audited-tool.js';
import { originOf, type FilesContext } from '../context.js';

// What a change left behind for the audit record and the agent: the history id, when kept.
export interface Recorded<T> {
  result: T;
  change?: Change;
  historyError?: string;
}

// Keep what `touched` are before `act` changes them, then journal the change under the tool's
// audit call. With history off this is just `act`. A failed act records nothing (its kept blobs
// are dropped by retention); a journal that cannot be written after the act is reported, not
// thrown: the change has happened and the caller must hear so.
export async function recordChange<T>(
  ctx: FilesContext,
  info: ToolCallInfo,
  tool: string,
  touched: () => Promise<readonly TouchedPath[]> | readonly TouchedPath[],
  act: () => Promise<T>,
  after?: (result: T) => ReadonlyMap<string, AfterState>,
): Promise<Recorded<T>> {
  const history = ctx.history;
  if (history === undefined) return { result: await act() };
  const prepared = history.prepare(ctx.guard, await touched());
  const result = await act();
  try {
    const change = history.commit(ctx.guard, prepared, originOf(tool, info), after?.(result));
    return { result, change };
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message, tool }, 'could not record a change in history');
    return { result, historyError: (err as Error).message };
  }
}

// The audit details a recorded change adds: its history id (or why it is missing).
export function historyDetails(recorded: Recorded<unknown>): Record<string, unknown> {
  if (recorded.change !== undefined) return { change: recorded.change.id };
  if (recorded.historyError !== undefined) return { historyError: recorded.historyError };
  return {};
}
