import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  makeShellDirs,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from './shell-harness.js';

describe('shell server: run_command', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({
      shell: { maxOutputBytes: 4096, defaultTimeoutMs: 20_000, maxTimeoutMs: 30_000 },
    }));
    mkdirSync(path.join(dirs.root, 'sub'));
    writeFileSync(path.join(dirs.root, 'sub', 'hello.txt'), 'hello from sub\n');
    server = await startShell(dirs);
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('lists the five tools, each with all four annotation hints and no policy/config tool', async () => {
    const { tools } = await server.client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual([
      'kill_session',
      'list_sessions',
      'read_output',
      'run_command',
      'send_input',
      'start_session',
    ]);
    for (const tool of tools) {
      for (const hint of [
        'readOnlyHint',
        'destructiveHint',
        'idempotentHint',
        'openWorldHint',
      ] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe('boolean');
      }
    }
  });

  it('runs echo and reports exit code 0, stdout, byte counts and duration', async () => {
    const res = await callTool(server.client, 'run_command', { command: 'echo hello-bastion' });
    expect(res.isError).toBe(false);
    expect(res.data.exitCode).toBe(0);
    expect(res.data.stdout).toBe('hello-bastion\n');
    expect(res.data.stdoutBytes).toBe(14);
    expect(res.data.timedOut).toBe(false);
    expect(typeof res.data.durationMs).toBe('number');
    expect(res.text).toContain('exit code 0');
    expect(res.text).toContain('hello-bastion');
  });

  it('reports non-zero exit codes and stderr separately', async () => {
    const res = await callTool(server.client, 'run_command', { command: 'echo oops >&2; exit 7' });
    expect(res.isError).toBe(false);
    expect(res.data.exitCode).toBe(7);
    expect(res.data.stderr).toBe('oops\n');
    expect(res.data.stdout).toBe('');
    expect(res.text).toContain('exit code 7');
  });

  it('passes stdin to the command', async () => {
    const res = await callTool(server.client, 'run_command', {
      command: 'tr a-z A-Z',
      stdin: 'shout\n',
    });
    expect(res.data.stdout).toBe('SHOUT\n');
  });

  it('runs in a cwd inside a root, relative or absolute', async () => {
    const abs = await callTool(server.client, 'run_command', {
      command: 'cat hello.txt',
      cwd: path.join(dirs.root, 'sub'),
    });
    expect(abs.data.stdout).toBe('hello from sub\n');
    const rel = await callTool(server.client, 'run_command', {
      command: 'cat hello.txt',
      cwd: 'sub',
    });
    expect(rel.data.stdout).toBe('hello from sub\n');
    const pwd = await callTool(server.client, 'run_command', { command: 'pwd' });
    expect(pwd.data.stdout).toBe(`${dirs.root}\n`);
  });

  it('refuses a cwd outside the roots, and runs nothing', async () => {
    const marker = path.join(dirs.root, 'cwd-outside-marker');
    for (const cwd of [dirs.outside, path.join(dirs.root, '..'), '/']) {
      const res = await callTool(server.client, 'run_command', { command: `touch ${marker}`, cwd });
      expect(res.isError).toBe(true);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a timeout above the configured maximum with an actionable message', async () => {
    const res = await callTool(server.client, 'run_command', {
      command: 'true',
      timeoutMs: 999_999,
    });
    expect(res.isError).toBe(true);
    expect(res.text).toContain('timeoutMs: expected at most 30000');
  });

  it('refuses empty and NUL-bearing commands', async () => {
    expect((await callTool(server.client, 'run_command', { command: '  ' })).isError).toBe(true);
    expect((await callTool(server.client, 'run_command', { command: 'echo a\0b' })).isError).toBe(
      true,
    );
  });

  it('kills a command at its timeout, including a background child', async () => {
    const marker = path.join(dirs.root, 'timeout-marker');
    const res = await callTool(server.client, 'run_command', {
      command: `(sleep 2; touch ${marker}) & sleep 30`,
      timeoutMs: 1000,
    });
    expect(res.data.timedOut).toBe(true);
    expect(res.text).toContain('timed out');
    await sleep(3000);
    expect(existsSync(marker)).toBe(false);
  });

  it('caps output, keeping head and tail, with the total byte count', async () => {
    const res = await callTool(server.client, 'run_command', {
      command: "echo HEAD-START; head -c 100000 /dev/zero | tr '\\0' x; echo; echo TAIL-END",
    });
    expect(res.data.stdoutTruncated).toBe(true);
    expect(res.data.stdoutBytes).toBe(100000 + 11 + 1 + 9);
    const stdout = String(res.data.stdout);
    expect(stdout.startsWith('HEAD-START')).toBe(true);
    expect(stdout.trimEnd().endsWith('TAIL-END')).toBe(true);
    expect(stdout.length).toBeLessThan(4096 + 200);
    expect(res.text).toContain('TRUNCATED');
  });

  it('sends progress notifications while a 3 s command runs', async () => {
    const progress: number[] = [];
    const result = await server.client.callTool(
      { name: 'run_command', arguments: { command: 'sleep 3; echo done' } },
      {
        onprogress: (p: { progress: number }) => progress.push(p.progress),
      },
    );
    expect(result.isError).not.toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('kills the command tree when the request is cancelled', async () => {
    const marker = path.join(dirs.root, 'cancel-marker');
    const controller = new AbortController();
    const call = server.client.callTool(
      {
        name: 'run_command',
        arguments: { command: `(sleep 2; touch ${marker}) & sleep 2; touch ${marker}` },
      },
      { signal: controller.signal },
    );
    await sleep(700);
    controller.abort();
    await expect(call).rejects.toThrow();
    await sleep(3000);
    expect(existsSync(marker)).toBe(false);
    const after = await callTool(server.client, 'run_command', { command: 'echo still-alive' });
    expect(after.data.stdout).toBe('still-alive\n');
  });

  it('audits every command with its cwd, decision, exit code and output sizes', async () => {
    await callTool(server.client, 'run_command', { command: 'echo audited-one' });
    const records = server.auditRecords().filter((r) => r.tool === 'run_command');
    const mine = records.find(
      (r) => (r.details as Record<string, unknown> | undefined)?.command === 'echo audited-one',
    );
    expect(mine).toBeDefined();
    expect(mine?.server).toBe('shell');
    expect(mine?.decision).toBe('allow');
    expect(mine?.details).toMatchObject({
      cwd: dirs.root,
      exitCode: 0,
      stdoutBytes: 12,
      stderrBytes: 0,
    });
    const refused = records.filter((r) => r.decision === 'deny');
    expect(refused.length).toBeGreaterThan(0);
  });
});
