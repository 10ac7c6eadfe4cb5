import type { AuditSink } from '../audit/index.js';
import type { RateLimitStore, TokenStore } from '../auth/types.js';
import type { Config } from '../config/index.js';
import { createDashboard, createLiveFeed } from '../dashboard/index.js';
import type { Logger } from '../logging/logger.js';
import type { FilesService } from '../servers/files/index.js';
import type { ShellService } from '../servers/shell/index.js';
import { loopbackHosts } from '../transport/http/host-check.js';
import { loopbackOrigins } from '../transport/http/origin-check.js';
import type { EndpointCaller } from '../transport/http/mcp-endpoint.js';
import { createHubApp, type HubApp, type HubServerEntry } from './hub-app.js';
import { createHubMetrics, type HubMetrics } from './hub-metrics.js';
import { listenHub } from './hub-server.js';
import {
  removeHubState,
  writeHubPid,
  writeHubState,
  type HubState,
} from './lifecycle/state-file.js';
import type { ListenAddress } from './listen-address.js';
import { observeAudit } from './observed-audit.js';

// How often the state file `bastion status` reads is rewritten.
const STATE_INTERVAL_MS = 2000;

export interface StartHubOptions {
  config: Config;
  stateDir: string;
  listen: ListenAddress;
  tls?: { cert: string; key: string };
  audit: AuditSink;
  logger: Logger;
  tokens: TokenStore;
  limiter: RateLimitStore;
  version: string;
  // BASTION_AUDIT_KEY, when set: the dashboard's verification checks the MACs too.
  auditKey?: string;
  // The services are built on the hub's observed audit sink, so every record feeds /metrics.
  createFiles: (audit: AuditSink) => FilesService;
  createShell?: (audit: AuditSink) => {
    service: ShellService;
    sandbox: string;
    close(): Promise<void>;
  };
}

// A hub that is serving; stop() is the graceful end (calls finish, then the audit log closes).
export interface RunningHub {
  url: string;
  port: number;
  metrics: HubMetrics;
  stop(graceMs: number): Promise<void>;
}

function callerFor(caller: EndpointCaller) {
  return {
    caller: {
      principal: caller.principal.tokenName,
      address: caller.address,
      era: caller.era,
      transport: 'http' as const,
    },
    readOnly: caller.principal.readOnly,
    // A 2025-era session is one long-lived client: its MCP roots narrow what it may touch; a
    // 2026-07-28 request brings its own (asked per request, kept for nothing else).
    followClientRoots: caller.era === 'legacy',
    era: caller.era,
  };
}

// Starts the hub: builds the servers on one audit sink, binds, serves, and keeps the state file.
export async function startHub(options: StartHubOptions): Promise<RunningHub> {
  const metrics = createHubMetrics();
  const feed = createLiveFeed();
  const audit = observeAudit(
    options.audit,
    (event, written) => {
      metrics.observeAudit(event);
      feed.publish(written);
    },
    (writable) => {
      metrics.setAuditWritable(writable);
      options.logger.warn(
        { writable },
        writable ? 'audit log writable again' : 'audit log cannot be written; calls are refused',
      );
    },
  );
  const files = options.createFiles(audit);
  const shell = options.createShell?.(audit);
  const servers: HubServerEntry[] = [
    {
      name: 'files',
      createServer: (caller) =>
        files.createServer({
          ...callerFor(caller),
          ...(caller.tool !== undefined ? { onlyTool: caller.tool } : {}),
        }),
    },
  ];
  if (shell) {
    servers.push({
      name: 'shell',
      sandbox: shell.sandbox,
      createServer: (caller) =>
        shell.service.createServer({
          ...callerFor(caller),
          owner: caller.principal.tokenName,
        }),
    });
  }

  // The app needs the bound port (the Host allow-list); until it exists requests get 503.
  const built: { app?: HubApp } = {};
  const listening = await listenHub(
    {
      address: options.listen,
      requestTimeoutMs: options.config.hub.requestTimeoutMs,
      ...(options.tls ? { tls: options.tls } : {}),
    },
    (request, env) =>
      built.app ? built.app.fetch(request, env) : new Response('starting', { status: 503 }),
  );
  const scheme = options.tls ? 'https' : 'http';
  const hub = options.config.hub;
  const dashboard = createDashboard({
    config: options.config,
    tokens: options.tokens,
    limiter: options.limiter,
    audit,
    feed,
    secureCookies: options.tls !== undefined || hub.behindTlsProxy,
    ...(options.auditKey ? { auditKey: options.auditKey } : {}),
    isAuditWritable: () => audit.isWritable(),
    servers: () =>
      servers.map((s) => ({
        name: s.name,
        state: audit.isWritable() ? 'serving' : 'refusing calls',
        ...(s.sandbox ? { sandbox: s.sandbox } : {}),
        sessions:
          s.name === 'shell' && shell
            ? shell.service.sessionCount()
            : (built.app?.sessionCount(s.name) ?? 0),
        ...metrics.callCounts(s.name),
      })),
    onRefused: (reason) =>
      reason === 'guessing'
        ? metrics.countRateLimited('/dashboard', 'unauthenticated')
        : metrics.countAuthRefused('/dashboard', reason),
  });
  const app = createHubApp({
    settings: hub,
    allowedHosts: hub.allowedHosts.length > 0 ? hub.allowedHosts : loopbackHosts(listening.port),
    allowedOrigins:
      hub.allowedOrigins.length > 0 ? hub.allowedOrigins : loopbackOrigins(listening.port, scheme),
    tokens: options.tokens,
    limiter: options.limiter,
    servers,
    metrics,
    isAuditWritable: () => audit.isWritable(),
    version: options.version,
    dashboard: dashboard.app,
    onError: (error) => options.logger.error({ err: error.message }, 'hub request failed'),
  });
  built.app = app;

  const startedAt = new Date().toISOString();
  const writeState = (): void => {
    if (shell) metrics.setShellSessions(shell.service.sessionCount());
    const state: HubState = {
      pid: process.pid,
      url: listening.url,
      listen: `${options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host}:${listening.port}`,
      startedAt,
      updatedAt: new Date().toISOString(),
      version: options.version,
      servers: Object.fromEntries(
        servers.map((s) => {
          const counts = metrics.callCounts(s.name);
          const sessions =
            s.name === 'shell' && shell ? shell.service.sessionCount() : app.sessionCount(s.name);
          return [
            s.name,
            {
              path: `/mcp/${s.name}`,
              calls: counts.calls,
              refusals: counts.refusals,
              sessions,
              ...(s.sandbox ? { sandbox: s.sandbox } : {}),
            },
          ];
        }),
      ),
    };
    try {
      writeHubState(options.stateDir, state);
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'could not write the hub state file');
    }
  };
  writeHubPid(options.stateDir, process.pid);
  writeState();
  const stateTimer = setInterval(writeState, STATE_INTERVAL_MS);
  stateTimer.unref();

  let stopping: Promise<void> | undefined;
  return {
    url: listening.url,
    port: listening.port,
    metrics,
    stop(graceMs) {
      stopping ??= (async () => {
        clearInterval(stateTimer);
        // Event streams never end on their own: closed first, so they do not hold the grace.
        dashboard.close();
        options.logger.info(
          { inFlight: app.inFlight(), graceMs },
          'stopping: requests in flight may finish within the grace',
        );
        await listening.close(graceMs, () => app.inFlight());
        await app.close();
        await shell?.close();
        await options.tokens.close();
        await options.limiter.close();
        // Last: every call that was let in has written its outcome by now.
        audit.close();
        removeHubState(options.stateDir, { pid: process.pid });
      })();
      return stopping;
    },
  };
}
