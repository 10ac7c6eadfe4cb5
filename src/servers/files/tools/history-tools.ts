import { parseTimeBound } from '../../../audit/index.js';
import { FileSystemError, InvalidInputError } from '../../../errors/index.js';
import { pathsOf, summarizeChange, type Change } from '../../../history/index.js';
import { isErrnoError } from '../../../policy/paths/index.js';
import {
  READ_ONLY_ANNOTATIONS,
  originOf,
  registerFilesTool,
  type FilesContext,
} from '../context.js';
import {
  ListChangesInput,
  ListChangesOutput,
  UndoChangeInput,
  UndoChangeOutput,
} from '../schemas/history.js';

function historyOff(): InvalidInputError {
  return new InvalidInputError(
    'History is turned off on this server (bastion.history.enabled is false); no change can be listed or undone.',
  );
}

// Security: an agent sees only changes whose every path lies in its own roots, so the history
// of other roots (or of a wider config than its client roots) never leaks to it.
function isVisible(ctx: FilesContext, change: Change): boolean {
  return pathsOf(change).every((p) => ctx.guard.rootFor(p) !== undefined);
}

function isUndoable(ctx: FilesContext, change: Change): boolean {
  return pathsOf(change).every(
    (p) => ctx.guard.rootFor(p)?.mode === 'read-write' && !ctx.guard.isDenied(p),
  );
}

function listed(ctx: FilesContext, change: Change) {
  return { ...summarizeChange(change), undoable: isUndoable(ctx, change) };
}

function describe(change: ReturnType<typeof listed>): string {
  const paths = change.paths
    .map((p) => (p.movedTo ? `${p.path} -> ${p.movedTo}` : `${p.path} (${p.before} -> ${p.after})`))
    .join(', ');
  const undoes = change.undoes ? ` undoes ${change.undoes}` : '';
  return `${change.id} ${change.time} ${change.tool}${undoes}: ${paths}${change.undoable ? '' : ' [not undoable here]'}`;
}

// list_changes: the changes this server kept for undo, newest first, within the agent's roots.
export function registerListChanges(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'list_changes',
    {
      title: 'List Changes',
      description:
        'List the changes made through this server that can be taken back (writes, edits, moves, copies, deletes), ' +
        'newest first: id, time, tool, and each path before and after. Undo one with undo_change.',
      inputSchema: ListChangesInput,
      outputSchema: ListChangesOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    (args) => {
      if (ctx.history === undefined) throw historyOff();
      let since: number | undefined;
      try {
        since = args.since === undefined ? undefined : parseTimeBound(args.since).getTime();
      } catch (err) {
        throw new InvalidInputError(`since: ${(err as Error).message}`);
      }
      const all = ctx.history
        .list()
        .filter((c) => (since === undefined || Date.parse(c.time) >= since) && isVisible(ctx, c))
        .reverse();
      const offset = args.offset ?? 0;
      const page = all.slice(offset, offset + args.limit).map((c) => listed(ctx, c));
      const truncated = offset + page.length < all.length;
      const structured = {
        changes: page,
        truncated,
        ...(truncated ? { nextOffset: offset + page.length } : {}),
      };
      const text =
        page.length === 0
          ? 'No changes kept.'
          : page.map(describe).join('\n') +
            (truncated ? `\n(more: offset ${offset + page.length})` : '');
      return Promise.resolve({
        content: [{ type: 'text' as const, text }],
        structuredContent: structured,
        audit: { details: { listed: page.length } },
      });
    },
  );
}

// undo_change: take back one change, byte for byte (mode and times too); itself a change.
export function registerUndoChange(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'undo_change',
    {
      title: 'Undo Change',
      description:
        'Take back one change from list_changes: files are restored byte for byte with their mode and times, ' +
        'what the change created is removed. Refuses when a path changed since, unless force: true. The undo is ' +
        'itself a change, so it can be undone. Only changes whose paths are all in writable allowed directories.',
      inputSchema: UndoChangeInput,
      outputSchema: UndoChangeOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    (args, _extra, info) => {
      const history = ctx.history;
      if (history === undefined) throw historyOff();
      const original = history.find(args.id);
      if (original === undefined || !isVisible(ctx, original))
        throw new FileSystemError(
          'ENOENT',
          `No change ${args.id} in the history; expected an id from list_changes.`,
        );
      let change: Change;
      try {
        change = history.undo(ctx.guard, args.id, {
          force: args.force,
          origin: originOf('undo_change', info),
        });
      } catch (err) {
        if (!isErrnoError(err)) throw err;
        throw new FileSystemError(
          err.code ?? 'EIO',
          `The undo of change ${args.id} could not go on (${err.code ?? 'error'}): a folder it restores into is missing or was replaced. Recreate the folder and retry; a partly done undo is finished at the next start.`,
          { cause: err },
        );
      }
      const summary = listed(ctx, change);
      return Promise.resolve({
        content: [
          {
            type: 'text' as const,
            text: `Undid change ${args.id}; the undo is change ${change.id} (undo that to redo).\n${describe(summary)}`,
          },
        ],
        structuredContent: { undone: args.id, change: summary },
        audit: { details: { undone: args.id, change: change.id, force: args.force } },
      });
    },
  );
}
