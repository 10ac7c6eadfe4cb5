import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { createAuditLog } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { createCommandPolicyEngine } from '../../src/policy/command/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createShellService } from '../../src/servers/shell/index.js';
import { serveInMemory } from '../helpers/in-memory-serve.js';
import { CLI_PATH, startServer, textOf, type ProtocolEra } from '../helpers/mcp-client.js';

// Temp layout of one shell test: a Bastion home, a project root, a place outside every root
// holding a canary with a unique secret, and the settings file pointing at them.
export interface ShellTestDirs {
  base: string;
  home: string;
  root: string;
  outside: string;
  canary: string;
  secret: string;
  configPath: string;
}

// A connected client plus what the tests inspect afterwards.
export interface ShellTestServer {
  client: Client;
  pid: number;
  close(): Promise<void>;
  stderr(): string;
  auditRecords(): Record<string, unknown>[];
}

export interface StartShellOptions {
  capabilities?: ClientCapabilities;
  setup?: (client: Client) => void;
  env?: Record<string, string>;
  // 'cli' spawns the built server over stdio; 'in-process' links the SDK client in memory.
  mode?: 'cli' | 'in-process';
  // The client's protocol era (default: the suite's, $BASTION_TEST_ERA; see startServer).
  era?: ProtocolEra;
}

// Create the temp dirs and write the settings; `bastion` is merged into the test defaults.
export function makeShellDirs(
  bastion: (dirs: Omit<ShellTestDirs, 'configPath'>) => Record<string, unknown> = () => ({}),
): ShellTestDirs {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-shell-')));
  const home = path.join(base, 'home');
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  for (const dir of [home, root, outside]) mkdirSync(dir, { recursive: true });
  const secret = `CANARY-${randomBytes(12).toString('hex')}`;
  const canary = path.join(outside, 'canary.txt');
  writeFileSync(canary, `${secret}\n`);
  const partial = { base, home, root, outside, canary, secret };
  const extra = bastion(partial);
  const settings = {
    bastion: {
      roots: [{ path: root, mode: 'read-write' }],
      audit: { dir: path.join(home, 'logs') },
      ...extra,
    },
  };
  const configPath = path.join(home, 'mcp_settings.json');
  writeFileSync(configPath, JSON.stringify(settings, null, 2));
  return { ...partial, configPath };
}

// Default mode: the built CLI when present (what users run), else in-process.
function defaultMode(): 'cli' | 'in-process' {
  const forced = process.env.BASTION_SHELL_TEST_MODE;
  if (forced === 'cli' || forced === 'in-process') return forced;
  return existsSync(CLI_PATH) ? 'cli' : 'in-process';
}

// Start the shell server for a test, over stdio (built CLI) or in memory (same factories).
export async function startShell(
  dirs: ShellTestDirs,
  options: StartShellOptions = {},
): Promise<ShellTestServer> {
  const auditRecords = (): Record<string, unknown>[] => {
    const file = path.join(dirs.home, 'logs', 'audit.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  if ((options.mode ?? defaultMode()) === 'cli') {
    const started = await startServer({
      server: 'shell',
      args: ['--home', dirs.home, '--config', dirs.configPath],
      ...(options.env ? { env: options.env } : {}),
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
      ...(options.setup ? { setup: options.setup } : {}),
      ...(options.era ? { era: options.era } : {}),
    });
    return { ...started, auditRecords };
  }
  const config = loadConfig({ home: dirs.home, configPath: dirs.configPath });
  const audit = createAuditLog(config.audit);
  const sandbox = await createSandbox({ enabled: config.shell.sandbox.enabled });
  const policy = await createCommandPolicyEngine();
  const deps = { audit, logger: createLogger('bastion-shell-test', 'silent'), sandbox, policy };
  // One service, as `bastion serve shell` makes it; an instance per era the connection opens.
  const shell = createShellService(config, deps);
  const { client, close } = await serveInMemory({
    factory: (era) => shell.createServer({ followClientRoots: true, era }),
    clientName: 'bastion-test-client',
    ...(options.era ? { era: options.era } : {}),
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    ...(options.setup ? { setup: options.setup } : {}),
  });
  return {
    client,
    pid: process.pid,
    stderr: () => '',
    auditRecords,
    close: async () => {
      await close();
      await shell.close();
      await sandbox.close();
      audit.close();
    },
  };
}

// Remove a test's temp dirs.
export function removeShellDirs(dirs: ShellTestDirs): void {
  rmSync(dirs.base, { recursive: true, force: true });
}

// A structured field as text ('' when absent), for output assertions.
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

// Everything a run_command call showed: summary, stdout and stderr, for canary checks.
export function everything(res: CallOutcome): string {
  return `${res.text}\n${asText(res.data.stdout)}\n${asText(res.data.stderr)}`;
}

// The structured result of a call, typed loosely for assertions.
export interface CallOutcome {
  isError: boolean;
  text: string;
  data: Record<string, unknown>;
}

// Call a tool and flatten the result.
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallOutcome> {
  const result = await client.callTool({ name, arguments: args });
  return {
    isError: result.isError === true,
    text: textOf(result),
    data: (result.structuredContent ?? {}) as Record<string, unknown>,
  };
}

// Poll read_output until `predicate` holds on the accumulated output or the session ends (bounded).
export async function readUntil(
  client: Client,
  sessionId: string,
  predicate: (output: string) => boolean,
  maxReads = 20,
): Promise<{ output: string; last: Record<string, unknown> }> {
  let output = '';
  let last: Record<string, unknown> = {};
  for (let i = 0; i < maxReads; i += 1) {
    const res = await callTool(client, 'read_output', { sessionId, waitMs: 2000 });
    last = res.data;
    output += asText(res.data.output);
    if (predicate(output) || last.running === false) break;
  }
  return { output, last };
}

// One round of a 2026-07-28 call driven by hand: what the client re-sends (answers and the
// echoed requestState), and the raw outcome: a result, an input-required result or an error.
export interface ManualRound {
  inputResponses?: Record<string, unknown>;
  requestState?: string;
}

// Call a tool without the client's automatic input-required handling (forgery and replay
// tests); a protocol error comes back as `{ error }`.
export async function callRound(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  round: ManualRound = {},
): Promise<Record<string, unknown>> {
  try {
    const result: Record<string, unknown> = await client.callTool(
      { name, arguments: args, ...round },
      { allowInputRequired: true },
    );
    return result;
  } catch (err) {
    return { error: (err as Error).message };
  }
}
