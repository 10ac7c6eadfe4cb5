import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { CLI_PATH, REPO_ROOT, type ProtocolEra } from '../helpers/mcp-client.js';

// Temp layout of one hub test: a Bastion home (config, logs, tokens), a root the servers may
// write, and a place outside every root with a canary.
export interface HubTestDirs {
  base: string;
  home: string;
  root: string;
  outside: string;
  canary: string;
  configPath: string;
}

// Writes the settings: one read-write root; `hub` and `bastion` merge into the defaults.
export function makeHubDirs(bastion: Record<string, unknown> = {}): HubTestDirs {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-hub-')));
  const dirs = {
    base,
    home: path.join(base, 'home'),
    root: path.join(base, 'root'),
    outside: path.join(base, 'outside'),
    canary: path.join(base, 'outside', 'canary.txt'),
    configPath: path.join(base, 'home', 'config', 'mcp_settings.json'),
  };
  for (const dir of [dirs.home, dirs.root, dirs.outside, path.dirname(dirs.configPath)])
    mkdirSync(dir, { recursive: true });
  writeFileSync(dirs.canary, 'CANARY-hub-outside');
  const { hub, ...rest } = bastion as { hub?: Record<string, unknown> };
  const settings = {
    bastion: {
      roots: [{ path: dirs.root, mode: 'read-write' }],
      audit: { dir: path.join(dirs.home, 'logs') },
      hub: { listen: '127.0.0.1:0', ...hub },
      ...rest,
    },
  };
  writeFileSync(dirs.configPath, JSON.stringify(settings, null, 2), { mode: 0o600 });
  return dirs;
}

export function removeHubDirs(dirs: HubTestDirs): void {
  rmSync(dirs.base, { recursive: true, force: true });
}

// Runs the built CLI to completion (token commands, status, ...).
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    timeout: 30_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

// `bastion token create`: the token alone on stdout.
export function createToken(dirs: HubTestDirs, name: string, extra: string[] = []): string {
  const result = runCli(['token', 'create', name, '--home', dirs.home, ...extra]);
  if (result.status !== 0) throw new Error(`token create failed: ${result.stderr}`);
  return result.stdout.trim();
}

export interface RunningTestHub {
  url: string;
  child: ChildProcess;
  stderr(): string;
  auditRecords(): Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// Starts `bastion hub` on a free loopback port and waits (bounded) for its ready line.
export async function startHub(dirs: HubTestDirs, args: string[] = []): Promise<RunningTestHub> {
  const child = spawn(process.execPath, [CLI_PATH, 'hub', '--home', dirs.home, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`hub did not start in 20 s:\n${stderr}`)),
      20_000,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /serving (https?:\/\/[^\s/]+)\/mcp\/files/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    auditRecords: () =>
      readFileSync(path.join(dirs.home, 'logs', 'audit.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface HubClientOptions {
  era: ProtocolEra;
  token?: string;
  headers?: Record<string, string>;
  capabilities?: ClientCapabilities;
  setup?: (client: Client) => void;
  // The transport's fetch (e.g. one that trusts a test CA for https).
  fetch?: typeof fetch;
}

// An official SDK client of the given era over Streamable HTTP, with the bearer token.
export async function connectHubClient(
  url: string,
  server: 'files' | 'shell',
  options: HubClientOptions,
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp/${server}`), {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    requestInit: {
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
    },
  });
  const client = new Client(
    { name: 'bastion-hub-test', version: '1.0.0' },
    {
      capabilities: options.capabilities ?? {},
      ...(options.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  options.setup?.(client);
  await client.connect(transport);
  return client;
}

// The text of a tool result's first content block.
export function resultText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}
