import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { ClientCapabilities } from '@modelcontextprotocol/client';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_PATH = path.join(REPO_ROOT, 'dist/cli/main.js');

export interface StartServerOptions {
  server: 'files' | 'shell';
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  capabilities?: ClientCapabilities;
  // Called before connect so tests can install request handlers (roots, elicitation).
  setup?: (client: Client) => void;
  // Which protocol era the client speaks: 'legacy' = the 2025 initialize handshake, 'modern' =
  // pinned to 2026-07-28 (server/discover, per-request _meta). Default: $BASTION_TEST_ERA or legacy.
  era?: ProtocolEra;
}

export type ProtocolEra = 'legacy' | 'modern';

// The era a test client speaks unless the test says otherwise.
export function defaultEra(): ProtocolEra {
  return process.env.BASTION_TEST_ERA === 'modern' ? 'modern' : 'legacy';
}

// The client options that make an SDK client speak the given era.
export function eraClientOptions(era: ProtocolEra): {
  versionNegotiation?: { mode: { pin: '2026-07-28' } };
} {
  return era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {};
}

export interface StartedServer {
  client: Client;
  pid: number;
  close(): Promise<void>;
  stderr(): string;
}

// Start the BUILT CLI (`npm run build` first) and connect the official SDK client over stdio.
export async function startServer(options: StartServerOptions): Promise<StartedServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'serve', options.server, ...options.args],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      ...options.env,
    },
    cwd: options.cwd ?? REPO_ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client(
    { name: 'bastion-test-client', version: '1.0.0' },
    {
      capabilities: options.capabilities ?? {},
      ...eraClientOptions(options.era ?? defaultEra()),
    },
  );
  options.setup?.(client);
  try {
    await client.connect(transport);
    // A 2026-07-28 client over stdio probes on a throw-away sibling process, then spawns the
    // server it keeps without waiting for it; one round trip makes "started" mean what a 2025
    // handshake means: the server is up and answering (tests change its files right after).
    if ((options.era ?? defaultEra()) === 'modern') await client.discover();
  } catch (err) {
    throw new Error(`server failed to start: ${(err as Error).message}\nstderr:\n${stderr}`);
  }
  const pid = transport.pid;
  if (pid === null) throw new Error('server has no pid');
  return {
    client,
    pid,
    stderr: () => stderr,
    close: async () => {
      await client.close();
    },
  };
}

// The text of a tool result's content, joined.
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`)).join('\n');
}

// A raw 2025-era initialize request, for tests that speak the protocol without an SDK client.
export function legacyInitialize(clientName: string, id: number | string = 1): object {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: clientName, version: '1' },
    },
  };
}
