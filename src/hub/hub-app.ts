import type { McpServer } from '@modelcontextprotocol/server';
import { Hono } from 'hono';
import type { DashboardEnv } from '../dashboard/index.js';
import type { RateLimitStore, TokenStore } from '../auth/types.js';
import type { HubConfig } from '../config/index.js';
import {
  bodyLimit,
  createMcpEndpoint,
  hostCheck,
  onResponseSent,
  originCheck,
  rateLimit,
  tokenAuth,
  type EndpointCaller,
  type HttpEnv,
  type McpEndpoint,
} from '../transport/http/index.js';
import type { HubMetrics } from './hub-metrics.js';

// One Bastion server as the hub mounts it, at /mcp/<name>.
export interface HubServerEntry {
  name: 'files' | 'shell';
  createServer(caller: EndpointCaller): McpServer | Promise<McpServer>;
  // What /healthz and status say of its sandbox ('bwrap', 'none', ...); absent for files.
  sandbox?: string;
}

export interface HubAppDeps {
  settings: HubConfig;
  // The Host and Origin allow-lists in force (the config's, or the loopback names with the port).
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  tokens: TokenStore;
  limiter: RateLimitStore;
  servers: readonly HubServerEntry[];
  metrics: HubMetrics;
  isAuditWritable: () => boolean;
  version: string;
  // The monitoring page and its API, mounted at /dashboard (they check their own sessions).
  dashboard?: Hono<DashboardEnv>;
  onError?: (error: Error) => void;
}

// The HTTP application of the hub and what it holds open (per-server endpoints and requests in
// flight), so a stop can wait for calls to finish before the audit log closes.
export interface HubApp {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  inFlight(): number;
  sessionCount(server: string): number;
  close(): Promise<void>;
}

const ROUTES = new Set(['/healthz', '/metrics', '/mcp/files', '/mcp/shell']);

// Composes the middleware per route: Host and Origin checks on everything; body limit, token,
// scope and rate limits before an MCP endpoint; a token with the dashboard scope for /metrics.
export function createHubApp(deps: HubAppDeps): HubApp {
  const app = new Hono<HttpEnv>();
  const { settings, metrics } = deps;
  let inFlight = 0;

  app.use('*', async (c, next) => {
    c.set('address', c.env.incoming.socket.remoteAddress ?? 'unknown');
    // A GET on an MCP endpoint is a 2025 session's standing event stream: it carries no call of
    // its own (a call is a POST, answered on its own stream) and never ends by itself, so it must
    // not hold a stop for the whole grace.
    if (c.req.method !== 'GET' || !c.req.path.startsWith('/mcp/')) {
      inFlight += 1;
      // Counted down when the node response closes (sent in full or its client gone), so a
      // streamed answer keeps a stop waiting; also on a throw, which node answers with a 500.
      onResponseSent(c.env.outgoing, () => {
        inFlight -= 1;
      });
    }
    await next();
    metrics.countRequest(ROUTES.has(c.req.path) ? c.req.path : 'other', c.res.status);
  });
  app.use('*', hostCheck(deps.allowedHosts), originCheck(deps.allowedOrigins));

  // Liveness for load balancers and `bastion start`: no token, and nothing a stranger could use.
  app.get('/healthz', (c) => {
    const auditWritable = deps.isAuditWritable();
    return c.json(
      {
        status: auditWritable ? 'ok' : 'degraded',
        ...(auditWritable ? {} : { reason: 'the audit log cannot be written; calls are refused' }),
      },
      auditWritable ? 200 : 503,
    );
  });

  const authFor = (scope: 'files' | 'shell' | 'dashboard', route: string) =>
    tokenAuth({
      tokens: deps.tokens,
      scope,
      limiter: deps.limiter,
      unauthenticatedPerMinute: settings.rateLimit.unauthenticatedPerMinute,
      onRefused: (reason) =>
        reason === 'guessing'
          ? metrics.countRateLimited(route, 'unauthenticated')
          : metrics.countAuthRefused(route, reason),
    });

  app.get('/metrics', authFor('dashboard', '/metrics'), async (c) => {
    return c.body(await metrics.registry.metrics(), 200, {
      'content-type': metrics.registry.contentType,
    });
  });

  if (deps.dashboard) app.route('/dashboard', deps.dashboard);

  const endpoints = new Map<string, McpEndpoint>();
  for (const server of deps.servers) {
    const route = `/mcp/${server.name}`;
    const endpoint = createMcpEndpoint({
      createServer: (caller) => server.createServer(caller),
      maxBodyBytes: settings.maxBodyBytes,
      maxSessions: settings.maxSessions,
      sessionIdleMs: settings.sessionIdleMs,
      onSessionsChange: (open) => metrics.setSessions(server.name, open),
      ...(deps.onError ? { onError: deps.onError } : {}),
    });
    endpoints.set(server.name, endpoint);
    app.all(
      route,
      authFor(server.name, route),
      rateLimit({
        limiter: deps.limiter,
        requestsPerMinute: settings.rateLimit.requestsPerMinute,
        maxConcurrent: settings.rateLimit.maxConcurrent,
        onLimited: (reason) => metrics.countRateLimited(route, reason),
      }),
      bodyLimit(settings.maxBodyBytes),
      (c) => endpoint.handle(c.req.raw, c.get('principal'), c.get('address')),
    );
  }

  app.notFound((c) =>
    c.json(
      {
        error:
          'not found: the hub serves /mcp/files, /mcp/shell, /healthz, /metrics and /dashboard',
      },
      404,
    ),
  );
  app.onError((err, c) => {
    deps.onError?.(err);
    return c.json(
      { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null },
      500,
    );
  });

  return {
    fetch: (request, env) => app.fetch(request, env as HttpEnv['Bindings']),
    inFlight: () => inFlight,
    sessionCount: (server) => endpoints.get(server)?.sessionCount() ?? 0,
    async close() {
      await Promise.all([...endpoints.values()].map((e) => e.close()));
    },
  };
}
