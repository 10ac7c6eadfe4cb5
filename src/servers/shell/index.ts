import { McpServer } from '@modelcontextprotocol/server';
import { tryRecord } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import { createPathGuard } from '../../policy/paths/index.js';
import { installRootsSync } from '../shared/roots-sync.js';
import { registerRunCommandTool } from './run-command-tool.js';
import { SHELL_AUDIT_SERVER, type ShellContext, type ShellDeps } from './shell-context.js';
import { registerSessionInspectTools } from './sessions/session-inspect-tools.js';
import { createSessionRegistry } from './sessions/session-registry.js';
import { registerSendInputTool } from './sessions/send-input-tool.js';
import { registerStartSessionTool } from './sessions/start-session-tool.js';

export type { ShellDeps } from './shell-context.js';

// The shell MCP server. The caller owns the sandbox, the policy engine and the transport;
// close() kills every session (and so does the process exiting).
export function createShellServer(
  config: Config,
  deps: ShellDeps,
): { mcp: McpServer; close(): Promise<void> } {
  const mcp = new McpServer(
    { name: 'bastion-shell', version: '0.1.0' },
    { capabilities: { tools: {} } },
  );
  const guard = createPathGuard(config);
  // The sandbox mounts the guard's effective roots: client MCP roots narrow what commands see.
  const rootsReady = installRootsSync(mcp, guard, deps.logger);
  const ctx: ShellContext = {
    config,
    deps,
    guard,
    tool: {
      mcp,
      audit: deps.audit,
      logger: deps.logger,
      server: SHELL_AUDIT_SERVER,
      ready: rootsReady,
    },
  };
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
  registerRunCommandTool(ctx);
  registerStartSessionTool(ctx, registry);
  registerSendInputTool(ctx, registry);
  registerSessionInspectTools(ctx, registry);

  // Security: sessions must not outlive the server; on exit only synchronous work runs, so each
  // kill is started (the signal is sent synchronously) without being awaited.
  const killOnExit = (): void => {
    void registry.closeAll();
  };
  process.once('exit', killOnExit);
  let closed = false;
  return {
    mcp,
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', killOnExit);
      await registry.closeAll();
      await mcp.close().catch(() => undefined);
    },
  };
}
