import type { McpServer } from '@modelcontextprotocol/server';
import type { Logger } from '../../logging/logger.js';
import type { PathGuard } from '../../policy/paths/index.js';

// How long a tool call waits for the client's roots/list answer before going on.
const ROOTS_TIMEOUT_MS = 10_000;

// Keep the guard narrowed to the client's MCP roots: fetched after initialization when the
// client declares the roots capability, and again on every roots/list_changed. The guard only
// ever narrows. Returns the gate tool calls await so none runs before the narrowing lands.
export function installRootsSync(
  mcp: McpServer,
  guard: PathGuard,
  logger: Logger,
): () => Promise<void> {
  let pending: Promise<void> = Promise.resolve();

  const sync = async (): Promise<void> => {
    try {
      const { roots } = await mcp.server.listRoots(undefined, { timeout: ROOTS_TIMEOUT_MS });
      // An empty list is "no opinion" (as the official server reads it), so the configured roots
      // stay; any non-empty list narrows them and can never widen them.
      guard.setClientRoots(roots.length > 0 ? roots.map((root) => root.uri) : undefined);
      logger.info(
        { clientRoots: roots.length, effectiveRoots: guard.roots.length },
        'applied client MCP roots',
      );
    } catch (err) {
      // The configured roots stay in force: they are the ceiling the person set.
      logger.warn(
        { err: (err as Error).message },
        'could not fetch client MCP roots; keeping the configured roots',
      );
    }
  };

  const previous = mcp.server.oninitialized;
  mcp.server.oninitialized = () => {
    previous?.();
    if (mcp.server.getClientCapabilities()?.roots) pending = sync();
  };
  mcp.server.setNotificationHandler('notifications/roots/list_changed', () => {
    pending = sync();
  });
  return () => pending;
}
