import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_PATH, startServer } from '../helpers/mcp-client.js';

const KEY = 'cli-test-audit-key-5f1e2d';
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// A home whose log holds a few real calls of the files server, written with BASTION_AUDIT_KEY.
async function homeWithCalls(): Promise<{ home: string; ws: string }> {
  const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-audit-cli-')));
  homes.push(home);
  const ws = path.join(home, 'ws');
  mkdirSync(ws);
  writeFileSync(path.join(ws, 'a.txt'), 'hello');
  const server = await startServer({
    server: 'files',
    args: ['--root', ws, '--home', home],
    env: { BASTION_AUDIT_KEY: KEY },
  });
  await server.client.callTool({
    name: 'read_text_file',
    arguments: { path: path.join(ws, 'a.txt') },
  });
  await server.client.callTool({ name: 'read_text_file', arguments: { path: '/etc/passwd' } });
  await server.client.callTool({
    name: 'read_text_file',
    arguments: { path: path.join(ws, 'none') },
  });
  await server.client.callTool({
    name: 'write_file',
    arguments: { path: path.join(ws, 'b.txt'), content: 'b' },
  });
  await server.close();
  return { home, ws };
}

describe('bastion audit', () => {
  it('verify: exit 0 when intact (MACs checked with the key); non-zero naming the first bad record', async () => {
    const { home } = await homeWithCalls();
    const ok = runCli(['audit', 'verify', '--home', home], { BASTION_AUDIT_KEY: KEY });
    expect(ok.stdout).toMatch(
      /intact \(5 records, 1 streams, \d+ signed checkpoints, MACs checked\)/,
    );
    expect(ok.code).toBe(0);
    const file = path.join(home, 'logs/audit.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    const cut = runCli(['audit', 'verify', '--home', home], { BASTION_AUDIT_KEY: KEY });
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(
      /first problem: record 4 is missing: the signed checkpoint .*\(close\)/,
    );
    writeFileSync(
      file,
      `${lines.map((l, i) => (i === 2 ? l.replace('"files"', '"filez"') : l)).join('\n')}\n`,
    );
    const edited = runCli(['audit', 'verify', '--home', home]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/first problem: line 3: hash mismatch/);
    // doctor runs the same verification.
    const doctor = runCli([
      'doctor',
      '--home',
      home,
      '--root',
      path.join(home, 'ws'),
      '--skip-npm-audit',
    ]);
    expect(doctor.stdout).toMatch(/\[FAIL\] audit log: .*line 3: hash mismatch/);
  });

  it('query: one entry per call merging intent and outcome, filtered; errors grouped by class', async () => {
    const { home } = await homeWithCalls();
    const all = runCli(['audit', 'query', '--home', home, '--json']);
    expect(all.code).toBe(0);
    const calls = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(calls).toHaveLength(4);
    expect(
      calls.every((c) => typeof c.call === 'string' && c.outcome !== 'no outcome recorded'),
    ).toBe(true);
    const denied = runCli(['audit', 'query', '--home', home, '--json', '--decision', 'deny']);
    const deniedCalls = denied.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(deniedCalls).toMatchObject([
      { tool: 'read_text_file', outcome: 'denied', args: { path: '/etc/passwd' } },
    ]);
    const writes = runCli([
      'audit',
      'query',
      '--home',
      home,
      '--tool',
      'write_file',
      '--since',
      '1h',
    ]);
    expect(writes.stdout).toMatch(/write_file .* ok/);
    expect(writes.stdout).toMatch(/^1 call\(s\)$/m);
    const none = runCli(['audit', 'query', '--home', home, '--until', '2000-01-01T00:00:00Z']);
    expect(none.stdout).toMatch(/^0 call\(s\)$/m);
    const bad = runCli(['audit', 'query', '--home', home, '--since', 'yesterday-ish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected an ISO time or a span like 15m/);
    const errors = runCli(['audit', 'errors', '--home', home, '--json']);
    const groups = JSON.parse(errors.stdout) as { errorClass: string; count: number }[];
    expect(groups).toEqual([expect.objectContaining({ count: 1, tools: ['read_text_file'] })]);
    expect(groups[0]!.errorClass).not.toBe('ERROR');
  });

  it('tail -f prints records as a server writes them', async () => {
    const { home, ws } = await homeWithCalls();
    const tail = spawn(
      process.execPath,
      [CLI_PATH, 'audit', 'tail', '-f', '-n', '1', '--home', home],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
      },
    );
    let out = '';
    const seen = (needle: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (out.includes(needle)) resolve();
        };
        tail.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          check();
        });
        check();
      });
    await seen('write_file');
    const server = await startServer({ server: 'files', args: ['--root', ws, '--home', home] });
    await server.client.callTool({ name: 'list_allowed_directories', arguments: {} });
    await seen('list_allowed_directories');
    tail.kill();
    await server.close();
    expect(out).toContain('list_allowed_directories');
  });
});
