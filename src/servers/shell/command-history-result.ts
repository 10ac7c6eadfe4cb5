import type { Root } from '../../config/index.js';
import { beginCommand, type CommandOutcome, type CommandRun } from '../../history/index.js';
import type { ToolCallInfo } from '../shared/audited-tool.js';
import type { ShellContext } from './shell-context.js';

// What run_command's description says about history, so the agent knows before it runs.
export function commandHistoryText(ctx: ShellContext): string {
  return ctx.commandHistory.on
    ? 'File changes in read-write roots are staged while the command runs and applied to the roots ' +
        'when it exits (so another process sees them only then); what they replace is kept, and ' +
        'list_changes / undo_change (files server) take them back. Setuid bits, device nodes ' +
        'and sockets never reach the roots; hard links become separate copies.'
    : `File changes made by commands are NOT kept for undo (${ctx.commandHistory.reason}).`;
}

// Start a command's history: its staging dir, one overlay per read-write root (undefined when
// history of commands is off, or there is no read-write root).
export function beginCommandHistory(
  ctx: ShellContext,
  roots: readonly Root[],
  info: ToolCallInfo,
): CommandRun | undefined {
  if (!ctx.commandHistory.on) return undefined;
  const lowers = roots.filter((r) => r.mode === 'read-write').map((r) => r.path);
  if (lowers.length === 0) return undefined;
  const { store, isOpaque, pool, stagingBase } = ctx.commandHistory;
  return beginCommand(
    { store, guard: ctx.guard, isOpaque, pool, stagingBase },
    {
      tool: 'run_command',
      call: info.call,
      ...(info.caller?.principal !== undefined ? { principal: info.caller.principal } : {}),
    },
    lowers,
  );
}

// The lines the result text gains: the change id to undo, and every note on what was not kept.
export function historyText(outcome: CommandOutcome | undefined): string {
  if (outcome === undefined) return '';
  const lines: string[] = [];
  if (outcome.change !== undefined)
    lines.push(
      `--- history: change ${outcome.change.id} keeps what this command replaced (${outcome.change.entries.length} path(s)); undo_change or \`bastion undo ${outcome.change.id}\` takes it back ---`,
    );
  for (const note of outcome.notes) lines.push(`--- history: ${note} ---`);
  return lines.length > 0 ? `\n${lines.join('\n')}` : '';
}

// The audit facts of a command's history: its change id, how many paths, and the notes.
export function historyAudit(outcome: CommandOutcome | undefined): Record<string, unknown> {
  if (outcome === undefined) return {};
  return {
    ...(outcome.change !== undefined ? { change: outcome.change.id } : {}),
    ...(outcome.changedPaths > 0 ? { changedPaths: outcome.changedPaths } : {}),
    ...(outcome.notes.length > 0 ? { historyNotes: outcome.notes } : {}),
  };
}
