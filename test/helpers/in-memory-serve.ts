import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import type { McpServer, ProtocolEra } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { defaultEra, eraClientOptions } from './mcp-client.js';

export interface InMemoryServeOptions {
  // Builds the server instance for the era the connection opens in (as `bastion serve` does).
  factory: (era: ProtocolEra) => McpServer;
  clientName: string;
  era?: ProtocolEra;
  capabilities?: ClientCapabilities;
  setup?: (client: Client) => void;
}

// A server and an official SDK client linked in memory, the connection's era chosen by the SDK's
// stdio entry exactly as over a real pipe: in-process tests run in either era
// ($BASTION_TEST_ERA), not only in the 2025 one a bare `server.connect` would give.
export async function serveInMemory(
  options: InMemoryServeOptions,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const handle = serveStdio((ctx) => options.factory(ctx.era), { transport: serverSide });
  const client = new Client(
    { name: options.clientName, version: '1.0.0' },
    {
      capabilities: options.capabilities ?? {},
      ...eraClientOptions(options.era ?? defaultEra()),
    },
  );
  options.setup?.(client);
  await client.connect(clientSide);
  return {
    client,
    close: async () => {
      await client.close();
      await handle.close();
    },
  };
}
