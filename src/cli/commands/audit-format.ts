import type { CallEntry, ErrorGroup } from '../../audit/index.js';

// A short text of a call's arguments for one table cell.
function summarizeArgs(args: unknown): string {
  const text = JSON.stringify(args ?? {});
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function formatCallRow(e: CallEntry): string {
  const ms = e.durationMs !== undefined ? `${e.durationMs.toFixed(1)}ms` : '-';
  return [
    e.time,
    e.server.padEnd(6),
    e.tool.padEnd(22),
    (e.decision ?? '-').padEnd(6),
    e.outcome.padEnd(8),
    ms.padStart(9),
    e.errorCode ?? e.rule ?? '',
    summarizeArgs(e.args),
  ].join('  ');
}

export const CALL_HEADER = [
  'time'.padEnd(24),
  'server',
  'tool'.padEnd(22),
  'decision',
  'outcome'.padEnd(8),
  'duration'.padStart(9),
  'rule/error',
  'args',
].join('  ');

export function formatErrorGroups(groups: readonly ErrorGroup[]): string {
  if (groups.length === 0) return 'no errors recorded';
  return groups
    .map(
      (g) =>
        `${String(g.count).padStart(6)}  ${g.errorClass.padEnd(22)}  last ${g.last}  tools: ${g.tools.join(', ')}`,
    )
    .join('\n');
}
