import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

// Host one MCP server on stdin/stdout. Resolves when the client goes away (stdin closes) or a
// termination signal arrives, after `onClose` has released everything the server holds.
export async function serveStdio(mcp: McpServer, onClose: () => Promise<void>): Promise<void> {
  const transport = new StdioServerTransport();
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      await onClose();
      await mcp.close();
    })();
    return closing;
  };
  await mcp.connect(transport);
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      void shutdown().finally(resolve);
    };
    process.stdin.once('end', finish);
    process.stdin.once('close', finish);
    transport.onclose = finish;
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    process.once('SIGHUP', finish);
  });
}
