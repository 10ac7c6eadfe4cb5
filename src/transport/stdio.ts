import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { BastionStdioTransport } from './stdio-transport.js';

// The SDK's default cap on one incoming message (10 MiB) is below Bastion's write limit.
const SDK_DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

// The largest JSON-RPC line that can carry `maxPayloadBytes` of file content: JSON escaping can
// grow content up to 6x (\u00XX for control bytes), plus room for the envelope.
export function maxMessageBytesFor(maxPayloadBytes: number): number {
  return Math.max(SDK_DEFAULT_MAX_MESSAGE_BYTES, 6 * maxPayloadBytes + 1024 * 1024);
}

// Host one MCP server on stdin/stdout. Resolves when the client goes away (stdin closes) or a
// termination signal arrives, after `onClose` has released everything the server holds.
export async function serveStdio(
  mcp: McpServer,
  onClose: () => Promise<void>,
  options: { maxMessageBytes?: number } = {},
): Promise<void> {
  const transport = new BastionStdioTransport(
    process.stdin,
    process.stdout,
    options.maxMessageBytes ?? SDK_DEFAULT_MAX_MESSAGE_BYTES,
  );
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
