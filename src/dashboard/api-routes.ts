import type { Hono } from 'hono';
import { filterCalls, groupErrors, type CallEntry, type CallFilter } from '../audit/index.js';
import type { AuditView } from './audit-view.js';
import { buildCallSeries } from './call-series.js';
import type { ChangesSource } from './changes.js';
import type { DashboardEnv } from './dashboard-env.js';
import { CSRF_HEADER, isCsrfValid } from './session-auth.js';
import type { AuditVerifier } from './verify-state.js';

// One server as the page shows it (from the hub: sessions, sandbox, counters since start).
export interface DashboardServerState {
  name: string;
  state: 'serving' | 'refusing calls';
  sandbox?: string;
  sessions: number;
  calls: number;
  refusals: number;
  errors: number;
}

export interface ApiDeps {
  view: AuditView;
  verifier: AuditVerifier;
  changes: ChangesSource;
  servers: () => DashboardServerState[];
  isAuditWritable: () => boolean;
}

const DEFAULT_CALLS = 100;
const MAX_CALLS = 500;
const FILTER_KEYS = ['server', 'tool', 'decision', 'outcome'] as const;
// A filter value longer than this is ignored, so no longer name is offered as a choice.
const MAX_FILTER_CHARS = 64;
// Choices offered per filter (the newest names): tool names are client text (unknown tools are
// audited as named), and 20,000 distinct 2 KB names would make every summary 40 MB.
const MAX_CHOICES = 100;

function parseFilter(query: (key: string) => string | undefined): CallFilter {
  const filter: CallFilter = {};
  for (const key of FILTER_KEYS) {
    const value = query(key);
    if (value !== undefined && value !== '' && value.length <= MAX_FILTER_CHARS)
      filter[key] = value;
  }
  return filter;
}

// Security: memory and bandwidth. The names a filter offers, bounded in length and number.
function distinct(entries: readonly CallEntry[], pick: (e: CallEntry) => string): string[] {
  const names = new Set<string>();
  for (let i = entries.length - 1; i >= 0 && names.size < MAX_CHOICES; i -= 1) {
    const name = pick(entries[i]!);
    if (name.length <= MAX_FILTER_CHARS) names.add(name);
  }
  return [...names].sort();
}

// The read-only JSON API the page draws from (every route is behind the session middleware),
// and the one write: POST changes/<id>/undo, with the session's CSRF token in a header.
export function registerApiRoutes(api: Hono<DashboardEnv>, deps: ApiDeps): void {
  api.get('/summary', (c) => {
    const calls = deps.view.calls();
    const session = c.get('session');
    return c.json({
      principal: session.tokenName,
      canUndo: !session.readOnly && deps.changes.enabled,
      audit: { writable: deps.isAuditWritable() },
      servers: deps.servers(),
      series: buildCallSeries(calls),
      filters: {
        servers: distinct(calls, (e) => e.server),
        tools: distinct(calls, (e) => e.tool),
      },
    });
  });

  api.get('/calls', (c) => {
    const rawLimit = Number(c.req.query('limit') ?? DEFAULT_CALLS);
    const limit = Number.isInteger(rawLimit)
      ? Math.min(Math.max(rawLimit, 1), MAX_CALLS)
      : DEFAULT_CALLS;
    const matching = filterCalls(
      deps.view.calls(),
      parseFilter((k) => c.req.query(k)),
    );
    return c.json({ calls: matching.slice(-limit).reverse(), total: matching.length });
  });

  api.get('/errors', (c) => {
    const filter = parseFilter((k) => c.req.query(k));
    return c.json({ groups: groupErrors(filterCalls(deps.view.calls(), filter)) });
  });

  api.get('/changes', (c) =>
    c.json({ enabled: deps.changes.enabled, changes: deps.changes.list() }),
  );

  api.get('/verify', async (c) =>
    c.json(await deps.verifier.state({ fresh: c.req.query('fresh') === '1' })),
  );

  api.post('/changes/:id/undo', async (c) => {
    const session = c.get('session');
    if (!isCsrfValid(session, c.req.header(CSRF_HEADER)))
      return c.json({ error: 'Forbidden: missing or wrong CSRF token.' }, 403);
    // Security: a read-only token may watch, not change files.
    if (session.readOnly)
      return c.json({ error: 'Forbidden: this token is read-only; it cannot undo.' }, 403);
    const id = c.req.param('id');
    if (!/^[0-9a-f]{12}$/.test(id))
      return c.json(
        { error: `expected a change id (12 hex digits), got ${JSON.stringify(id.slice(0, 40))}` },
        400,
      );
    const result = await deps.changes.undo(id, {
      principal: session.tokenName,
      address: c.get('address'),
      transport: 'http',
    });
    return result.ok
      ? c.json({ undone: result.undone, change: result.change })
      : c.json({ error: result.error, code: result.code }, result.status);
  });
}
