import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/client';
import { createAuditLog, type AuditSink } from '../../src/audit/index.js';
import { loadConfig, type Config, type Limits } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { createFilesService } from '../../src/servers/files/index.js';
import { serveInMemory } from '../helpers/in-memory-serve.js';

// A fresh temp directory (real path), removed by the returned cleanup.
export function makeTempDir(prefix = 'bastion-files-'): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export interface InProcessOptions {
  roots?: string[];
  readOnlyRoots?: string[];
  limits?: Partial<Limits>;
  deny?: string[];
  capabilities?: ClientCapabilities;
  setup?: (client: Client) => void;
  // null: run as if ripgrep were not installed.
  ripgrep?: string | null;
}

export interface InProcessServer {
  client: Client;
  config: Config;
  auditDir: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

// The files server wired to an SDK client over an in-memory transport: fast, real fs, real guard.
export async function startInProcess(options: InProcessOptions): Promise<InProcessServer> {
  const home = makeTempDir('bastion-home-');
  const base = loadConfig({
    home,
    rootFlags: options.roots ?? [],
    readOnlyRootFlags: options.readOnlyRoots ?? [],
    env: {},
  });
  const config: Config = Object.freeze({
    ...base,
    limits: Object.freeze({ ...base.limits, ...options.limits }),
    deny: Object.freeze(options.deny ?? [...base.deny]),
  });
  const audit: AuditSink = createAuditLog({ dir: path.join(home, 'logs') });
  const deps = {
    audit,
    logger: createLogger('files-test', 'silent'),
    ...(options.ripgrep !== undefined ? { ripgrep: options.ripgrep } : {}),
  };
  const files = createFilesService(config, deps);
  const { client, close } = await serveInMemory({
    factory: (era) => files.createServer({ followClientRoots: true, era }),
    clientName: 'files-test',
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    ...(options.setup ? { setup: options.setup } : {}),
  });
  return {
    client,
    config,
    auditDir: path.join(home, 'logs'),
    call: async (name, args = {}) => await client.callTool({ name, arguments: args }),
    close: async () => {
      await close();
      audit.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// All text of a result, joined (non-text blocks as [type]).
export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}

// Everything a client could see in a result: text, structured content and any embedded data.
export function everythingIn(result: CallToolResult): string {
  return JSON.stringify(result);
}
