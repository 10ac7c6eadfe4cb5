import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, startServer, textOf, type StartedServer } from '../helpers/mcp-client.js';
import { makeTempDir } from './files-harness.js';

// Send one raw JSON-RPC initialize over stdio to the built CLI and return its answer.
async function rawInitialize(
  root: string,
  home: string,
  protocolVersion: string,
): Promise<Record<string, unknown>> {
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'serve', 'files', '--root', root, '--home', home],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
    },
  );
  try {
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      let buffered = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffered += chunk;
        for (const line of buffered.split('\n').slice(0, -1)) {
          const message = JSON.parse(line) as { id?: number; result?: Record<string, unknown> };
          if (message.id === 1 && message.result) resolve(message.result);
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`,
    );
    return await answer;
  } finally {
    child.kill('SIGKILL');
  }
}

let root: string;
let home: string;
let server: StartedServer;

beforeAll(async () => {
  root = makeTempDir();
  home = makeTempDir('bastion-home-');
  writeFileSync(path.join(root, 'hello.txt'), 'hello\nworld\n');
  server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('files server over stdio (built CLI)', () => {
  it.each(['2025-06-18', '2025-11-25'])(
    'answers initialize for protocol version %s',
    async (version) => {
      const result = await rawInitialize(root, home, version);
      expect(result.protocolVersion).toBe(version);
      expect(result.serverInfo).toMatchObject({ name: 'bastion-files' });
      expect(result.capabilities).toHaveProperty('tools');
    },
  );

  it('lists every tool with annotations and output schemas where data is returned', async () => {
    const { tools } = await server.client.listTools();
    expect(tools).toHaveLength(18);
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of [
      'list_directory',
      'directory_tree',
      'search_files',
      'search_file_contents',
      'get_file_info',
      'list_allowed_directories',
      'read_multiple_files',
      'list_changes',
      'undo_change',
    ]) {
      expect(byName.get(name)?.outputSchema, name).toBeDefined();
    }
    expect(byName.get('write_file')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: false,
    });
    expect(byName.get('read_text_file')?.annotations).toMatchObject({
      readOnlyHint: true,
      openWorldHint: false,
    });
  });

  it('reads, writes, lists and searches through the real process, and audits each call', async () => {
    const { client } = server;
    expect(
      textOf(
        await client.callTool({
          name: 'read_text_file',
          arguments: { path: 'hello.txt', tail: 1 },
        }),
      ),
    ).toBe('world');
    await client.callTool({
      name: 'write_file',
      arguments: { path: 'new.txt', content: 'written' },
    });
    expect(readFileSync(path.join(root, 'new.txt'), 'utf8')).toBe('written');
    const list = await client.callTool({ name: 'list_directory', arguments: { path: root } });
    expect(textOf(list)).toBe('[FILE] hello.txt\n[FILE] new.txt');
    const found = await client.callTool({
      name: 'search_file_contents',
      arguments: { path: '.', pattern: 'wor' },
    });
    expect(textOf(found)).toBe(`${path.join(root, 'hello.txt')}:2:world`);
    const denied = await client.callTool({
      name: 'read_text_file',
      arguments: { path: '/etc/passwd' },
    });
    expect(denied.isError).toBe(true);
    const auditFile = path.join(home, 'logs', 'audit.jsonl');
    expect(existsSync(auditFile)).toBe(true);
    const records = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { server: string; tool: string; decision: string });
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ server: 'files', tool: 'write_file', decision: 'allow' }),
        expect.objectContaining({ server: 'files', tool: 'read_text_file', decision: 'deny' }),
      ]),
    );
  });
});
