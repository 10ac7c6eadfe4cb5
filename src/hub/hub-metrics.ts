import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditEvent } from '../audit/index.js';

// Distinct tool labels kept per server before the rest are counted as `other`: a client that
// calls made-up tool names must not grow the registry without bound.
const MAX_TOOL_LABELS = 64;

// The rule a server records for a call whose arguments failed validation (one record, no intent).
const REJECTED_ARGUMENTS_RULE = 'INVALID_ARGUMENTS';

// Calls and refusals per server, for `bastion status` and the state file.
export interface ServerCallCounts {
  calls: number;
  refusals: number;
  errors: number;
}

// The hub's Prometheus metrics, on a registry of its own (never the global one), fed by the
// audit records every call writes and by the HTTP middleware's refusals.
export interface HubMetrics {
  readonly registry: Registry;
  observeAudit(event: AuditEvent): void;
  countRequest(route: string, status: number): void;
  countRateLimited(route: string, reason: string): void;
  countAuthRefused(route: string, reason: string): void;
  setSessions(server: string, open: number): void;
  setShellSessions(open: number): void;
  setAuditWritable(writable: boolean): void;
  callCounts(server: string): ServerCallCounts;
}

// Builds the metrics for one hub process.
export function createHubMetrics(): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bastion_' });
  const labels = ['server', 'tool'] as const;
  const calls = new Counter({
    name: 'bastion_tool_calls_total',
    help: 'Tool calls by server, tool and decision.',
    labelNames: [...labels, 'decision'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'bastion_tool_call_duration_seconds',
    help: 'Tool call latency, from intent to outcome.',
    labelNames: labels,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'bastion_http_requests_total',
    help: 'HTTP requests by route and status.',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'bastion_http_rate_limited_total',
    help: 'Requests answered 429.',
    labelNames: ['route', 'reason'],
    registers: [registry],
  });
  const authRefused = new Counter({
    name: 'bastion_http_auth_refused_total',
    help: 'Requests refused for their token (401/403).',
    labelNames: ['route', 'reason'],
    registers: [registry],
  });
  const sessions = new Gauge({
    name: 'bastion_mcp_sessions_open',
    help: 'Open 2025-era MCP sessions by server.',
    labelNames: ['server'],
    registers: [registry],
  });
  const shellSessions = new Gauge({
    name: 'bastion_shell_sessions_open',
    help: 'Running shell sessions.',
    registers: [registry],
  });
  const auditWritable = new Gauge({
    name: 'bastion_audit_writable',
    help: '1 when the audit log takes records, 0 while calls are refused for it.',
    registers: [registry],
  });
  auditWritable.set(1);

  const tools = new Map<string, Set<string>>();
  const counts = new Map<string, ServerCallCounts>();
  const toolLabel = (server: string, tool: string): string => {
    let seen = tools.get(server);
    if (!seen) tools.set(server, (seen = new Set()));
    if (seen.has(tool)) return tool;
    if (seen.size >= MAX_TOOL_LABELS) return 'other';
    seen.add(tool);
    return tool;
  };
  const countsFor = (server: string): ServerCallCounts => {
    let entry = counts.get(server);
    if (!entry) counts.set(server, (entry = { calls: 0, refusals: 0, errors: 0 }));
    return entry;
  };

  return {
    registry,
    observeAudit(event) {
      const isCall =
        event.phase === 'outcome' ||
        event.phase === 'complete' ||
        (event.phase === undefined && event.rule === REJECTED_ARGUMENTS_RULE);
      if (!isCall || event.decision === undefined) return;
      const tool = toolLabel(event.server, event.tool);
      calls.inc({ server: event.server, tool, decision: event.decision });
      if (event.durationMs !== undefined)
        latency.observe({ server: event.server, tool }, event.durationMs / 1000);
      const entry = countsFor(event.server);
      entry.calls += 1;
      if (event.decision === 'deny') entry.refusals += 1;
      if (event.decision === 'error') entry.errors += 1;
    },
    countRequest: (route, status) => requests.inc({ route, status: String(status) }),
    countRateLimited: (route, reason) => rateLimited.inc({ route, reason }),
    countAuthRefused: (route, reason) => authRefused.inc({ route, reason }),
    setSessions: (server, open) => sessions.set({ server }, open),
    setShellSessions: (open) => shellSessions.set(open),
    setAuditWritable: (writable) => auditWritable.set(writable ? 1 : 0),
    callCounts: (server) => ({ ...countsFor(server) }),
  };
}
