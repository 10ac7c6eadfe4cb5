import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, REPO_ROOT } from '../helpers/mcp-client.js';
import {
  createToken,
  makeHubDirs,
  removeHubDirs,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from './hub-harness.js';

// The MCP Inspector 2.12 CLI, a current client of each era, run as a user would: its tool-schema
// portability check (`--strict`) must find nothing on either server, in either era, over stdio
// and through the hub; and it must be able to call a tool on each. It needs Node 22.
const NODE22 = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
const INSPECTOR = path.join(
  REPO_ROOT,
  'node_modules',
  '@modelcontextprotocol',
  'inspector',
  'clients',
  'launcher',
  'build',
  'index.js',
);
const UNPORTABLE = path.join(REPO_ROOT, 'test', 'fixtures', 'unportable-schema-server.js');

interface InspectorRun {
  code: number | null;
  stdout: string;
  // The Inspector's own report, without the JSON log lines the server writes to stderr.
  report: string;
}

function inspector(args: string[]): Promise<InspectorRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, [INSPECTOR, '--cli', ...args], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        MCP_CATALOG_PATH: path.join(dirs.base, 'inspector-catalog.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const report = stderr
        .split('\n')
        .filter((line) => !line.startsWith('{"level"'))
        .join('\n')
        .trim();
      resolve({ code, stdout, report });
    });
  });
}

const serve = (server: string) => [
  '--',
  process.execPath,
  CLI_PATH,
  'serve',
  server,
  '--config',
  dirs.configPath,
  '--home',
  dirs.home,
];

let dirs: HubTestDirs;
let hub: RunningTestHub;
let token: string;

beforeAll(async () => {
  dirs = makeHubDirs();
  writeFileSync(path.join(dirs.root, 'hello.txt'), 'hello from the root\n');
  token = createToken(dirs, 'inspector');
  hub = await startHub(dirs);
});

afterAll(async () => {
  await hub?.stop();
  if (dirs) removeHubDirs(dirs);
});

describe('the Inspector 2.12 CLI', () => {
  it('reports the warning it exists for (a nullable type array), so a clean report means something', async () => {
    const run = await inspector([
      '--method',
      'tools/list',
      '--strict',
      '--protocol-era',
      'legacy',
      '--',
      process.execPath,
      UNPORTABLE,
    ]);
    expect(run.report).toContain('Warning: tool "nullable_arg"');
    expect(run.report).toContain('0 errors, 1 warning');
  });

  describe.each(['modern', 'legacy'] as const)('era %s over stdio', (era) => {
    it.each(['files', 'shell'])('finds no portability error or warning on %s', async (server) => {
      const run = await inspector([
        '--method',
        'tools/list',
        '--strict',
        '--protocol-era',
        era,
        ...serve(server),
      ]);
      expect(run.report).toBe('');
      expect(run.code).toBe(0);
      const tools = (JSON.parse(run.stdout) as { tools: { name: string }[] }).tools;
      expect(tools.length).toBeGreaterThan(server === 'files' ? 10 : 4);
    });

    it('reads a file through the files server', async () => {
      const run = await inspector([
        '--method',
        'tools/call',
        '--tool-name',
        'read_text_file',
        '--tool-arg',
        `path=${path.join(dirs.root, 'hello.txt')}`,
        '--protocol-era',
        era,
        ...serve('files'),
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('hello from the root');
    });

    it('runs a command through the shell server', async () => {
      const run = await inspector([
        '--method',
        'tools/call',
        '--tool-name',
        'run_command',
        '--tool-arg',
        `command=echo inspector-${era}-$((6*7))`,
        `cwd=${dirs.root}`,
        '--protocol-era',
        era,
        ...serve('shell'),
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`inspector-${era}-42`);
    });
  });

  describe.each(['modern', 'legacy'] as const)('era %s through the hub', (era) => {
    it.each(['files', 'shell'])('finds no portability error or warning on %s', async (server) => {
      const run = await inspector([
        '--method',
        'tools/list',
        '--strict',
        '--protocol-era',
        era,
        '--transport',
        'http',
        '--server-url',
        `${hub.url}/mcp/${server}`,
        '--header',
        `Authorization: Bearer ${token}`,
      ]);
      expect(run.report).toBe('');
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { tools: unknown[] }).tools.length).toBeGreaterThan(4);
    });
  });
});
