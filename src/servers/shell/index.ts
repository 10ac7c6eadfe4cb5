import { McpServer, type ProtocolEra } from '@modelcontextprotocol/server';
import { tryRecord, type AuditCaller } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import { createPathGuard } from '../../policy/paths/index.js';
import { openCommandHistory } from './command-history-setup.js';
import { runInRequestRoots } from '../shared/request-roots.js';
import { installRootsSync } from '../shared/roots-sync.js';
import type { ToolExtra } from '../shared/audited-tool.js';
import { createApprovalStates } from './approval-state.js';
import { registerRunCommandTool } from './run-command-tool.js';
import { SHELL_AUDIT_SERVER, type ShellContext, type ShellDeps } from './shell-context.js';
import { registerSessionInspectTools } from './sessions/session-inspect-tools.js';
import { createSessionRegistry } from './sessions/session-registry.js';
import { registerSendInputTool } from './sessions/send-input-tool.js';
import { registerStartSessionTool } from './sessions/start-session-tool.js';

export type { ShellDeps } from './shell-context.js';

// One instance's view of who it serves (HTTP hub) and how its roots are set.
export interface ShellServerOptions {
  caller?: AuditCaller;
  readOnly?: boolean;
  // The token that owns the sessions this instance starts and the only one that may reach them.
  owner?: string;
  // true: this instance follows the client's MCP roots (a long-lived connection) with a guard
  // of its own; false: the service's guard on the configured roots (stateless HTTP requests).
  followClientRoots?: boolean;
  // The protocol era the instance serves (default legacy): 2026-07-28 instances ask for a
  // confirmation with an input-required result, 2025 ones with elicitation/create.
  era?: ProtocolEra;
}

// What lives as long as the process: the session registry (sessions outlive the HTTP request
// that started them) and the guard on the configured roots. close() kills every session (and
// so does the process exiting).
export interface ShellService {
  createServer(options?: ShellServerOptions): McpServer;
  sessionCount(): number;
  close(): Promise<void>;
}

// The shell service. The caller owns the sandbox, the policy engine and the transport.
export function createShellService(config: Config, deps: ShellDeps): ShellService {
  const sharedGuard = createPathGuard(config);
  const commandHistory = openCommandHistory(config, deps, sharedGuard);
  const registry = createSessionRegistry(config.shell, (session, reason) => {
    deps.logger.info({ sessionId: session.id, reason }, 'shell session expired');
    // Runs from a timer: an audit log that cannot be written must not crash the server (it
    // has said so on stderr); the session is killed either way.
    tryRecord(deps.audit, {
      server: SHELL_AUDIT_SERVER,
      tool: 'session_expired',
      args: { sessionId: session.id },
      decision: 'allow',
      durationMs: 0,
      outcome: 'killed',
      details: { sessionId: session.id, command: session.command, cwd: session.cwd, reason },
    });
  });
  const instances = new Set<McpServer>();
  // One key for every instance of the service: the retry of a call may reach another instance
  // (the hub builds one per 2026-07-28 request), never another process.
  const approvals = createApprovalStates();

  // Security: sessions must not outlive the server; on exit only synchronous work runs, so each
  // kill is started (the signal is sent synchronously) without being awaited.
  const killOnExit = (): void => {
    void registry.closeAll();
  };
  process.once('exit', killOnExit);
  let closed = false;
  return {
    createServer(options = {}) {
      const mcp = new McpServer(
        { name: 'bastion-shell', version: '0.1.0' },
        // Security: every echoed requestState is MAC-checked before a handler runs (forgery).
        { capabilities: { tools: {} }, requestState: { verify: approvals.verify } },
      );
      const follows = options.followClientRoots !== false;
      const guard = follows ? createPathGuard(config) : sharedGuard;
      // The sandbox mounts the guard's effective roots: client MCP roots narrow what commands see.
      const rootsReady = follows
        ? installRootsSync(mcp, guard, deps.logger)
        : () => Promise.resolve();
      const ctx: ShellContext = {
        config,
        deps,
        guard,
        era: options.era ?? 'legacy',
        approvals,
        commandHistory,
        tool: {
          mcp,
          audit: deps.audit,
          logger: deps.logger,
          server: SHELL_AUDIT_SERVER,
          ready: rootsReady,
          // Security: a 2026-07-28 request runs on its own client roots, or not before it has them.
          ...(options.era === 'modern'
            ? {
                scope: (extra: ToolExtra, run: Parameters<typeof runInRequestRoots>[2]) =>
                  runInRequestRoots(guard, extra, run),
              }
            : {}),
          ...(options.caller ? { caller: options.caller } : {}),
          ...(options.readOnly ? { readOnly: true } : {}),
        },
      };
      const sessions = registry.forOwner(options.owner);
      registerRunCommandTool(ctx);
      registerStartSessionTool(ctx, sessions);
      registerSendInputTool(ctx, sessions);
      registerSessionInspectTools(ctx, sessions);
      if (follows) {
        instances.add(mcp);
        const previous = mcp.server.onclose;
        mcp.server.onclose = () => {
          instances.delete(mcp);
          previous?.();
        };
      }
      return mcp;
    },
    sessionCount: () => registry.list().filter((s) => s.running).length,
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', killOnExit);
      await registry.closeAll();
      await Promise.all([...instances].map((mcp) => mcp.close().catch(() => undefined)));
    },
  };
}

// The shell MCP server for one connection (stdio): a service of its own, following the
// client's roots; close() kills its sessions.
export function createShellServer(
  config: Config,
  deps: ShellDeps,
  era: ProtocolEra = 'legacy',
): { mcp: McpServer; close(): Promise<void> } {
  const service = createShellService(config, deps);
  return {
    mcp: service.createServer({ followClientRoots: true, era }),
    close: () => service.close(),
  };
}
