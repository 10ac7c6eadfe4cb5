import type { AuditRecord } from './types.js';

// One tool call as a reader wants it: its intent and outcome records merged. A call with an
// intent and no outcome is `incomplete`: it may have had its effect (the process died, or the
// outcome could not be written).
export interface CallEntry {
  time: string;
  server: string;
  tool: string;
  call?: string;
  client?: string;
  principal?: string;
  args: unknown;
  decision?: string;
  rule?: string;
  outcome: string;
  errorCode?: string;
  durationMs?: number;
  details?: Record<string, unknown>;
  incomplete?: true;
}

export function mergeCalls(records: readonly AuditRecord[]): CallEntry[] {
  const entries: CallEntry[] = [];
  const open = new Map<string, CallEntry>();
  for (const r of records) {
    const { time, server, tool, call, client, principal, args, decision, rule, outcome } = r;
    const base: CallEntry = {
      time,
      server,
      tool,
      ...(call ? { call } : {}),
      ...(client ? { client } : {}),
      ...(principal ? { principal } : {}),
      args,
      outcome: outcome ?? 'unknown',
    };
    if (r.phase === 'outcome' && call && open.has(call)) {
      const entry = open.get(call)!;
      open.delete(call);
      Object.assign(entry, {
        ...(decision ? { decision } : {}),
        ...(rule ? { rule } : {}),
        outcome: outcome ?? 'unknown',
        ...(r.errorCode ? { errorCode: r.errorCode } : {}),
        ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
        ...(r.details ? { details: r.details } : {}),
      });
      delete entry.incomplete;
      continue;
    }
    if (r.phase === 'intent' && call) {
      const entry: CallEntry = { ...base, outcome: 'no outcome recorded', incomplete: true };
      open.set(call, entry);
      entries.push(entry);
      continue;
    }
    entries.push({
      ...base,
      ...(decision ? { decision } : {}),
      ...(rule ? { rule } : {}),
      ...(r.errorCode ? { errorCode: r.errorCode } : {}),
      ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
      ...(r.details ? { details: r.details } : {}),
    });
  }
  return entries;
}

export interface CallFilter {
  since?: Date;
  until?: Date;
  server?: string;
  tool?: string;
  decision?: string;
  outcome?: string;
}

export function filterCalls(entries: readonly CallEntry[], filter: CallFilter): CallEntry[] {
  return entries.filter((e) => {
    const time = Date.parse(e.time);
    if (filter.since && time < filter.since.getTime()) return false;
    if (filter.until && time > filter.until.getTime()) return false;
    if (filter.server && e.server !== filter.server) return false;
    if (filter.tool && e.tool !== filter.tool) return false;
    if (filter.decision && e.decision !== filter.decision) return false;
    if (filter.outcome && e.outcome !== filter.outcome) return false;
    return true;
  });
}

// Errors grouped by class: the error code (or, without one, the outcome), most frequent first.
export interface ErrorGroup {
  errorClass: string;
  count: number;
  tools: string[];
  first: string;
  last: string;
}

export function groupErrors(entries: readonly CallEntry[]): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const e of entries) {
    const failed = e.decision === 'error' || e.outcome === 'error' || e.incomplete;
    if (!failed) continue;
    const errorClass = e.errorCode ?? (e.incomplete ? 'NO_OUTCOME' : 'ERROR');
    const group = groups.get(errorClass) ?? {
      errorClass,
      count: 0,
      tools: [],
      first: e.time,
      last: e.time,
    };
    group.count += 1;
    if (!group.tools.includes(e.tool)) group.tools.push(e.tool);
    group.last = e.time;
    groups.set(errorClass, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

// --since/--until: an ISO time, or a span back from now (30s, 15m, 2h, 7d).
export function parseTimeBound(raw: string, now = Date.now()): Date {
  const span = /^(\d+)([smhd])$/.exec(raw);
  if (span) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
      span[2] as 's' | 'm' | 'h' | 'd'
    ];
    return new Date(now - Number(span[1]) * unit);
  }
  const time = Date.parse(raw);
  if (Number.isNaN(time))
    throw new Error(`expected an ISO time or a span like 15m, 2h, 7d, got "${raw}"`);
  return new Date(time);
}
