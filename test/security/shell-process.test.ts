import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asText,
  callTool,
  everything,
  makeShellDirs,
  readUntil,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from '../integration/shell-harness.js';

const SERVER_SECRET = `server-secret-${process.pid}-${Date.now()}`;

// Resident memory of a host process in kB, read from /proc (Linux).
function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function all(server: ShellTestServer, command: string, timeoutMs = 10_000): Promise<string> {
  const res = await callTool(server.client, 'run_command', { command, timeoutMs });
  return everything(res);
}

// Push `size` bytes through a session and read until it ends (bounded reads); returns the
// largest single read, which the session buffer (1 MiB by default) must cap.
async function floodSession(server: ShellTestServer, size: string): Promise<number> {
  const started = await callTool(server.client, 'start_session', {
    command: `yes | head -c ${size}; echo FLOOD-END`,
  });
  const sessionId = String(started.data.sessionId);
  let largest = 0;
  let tail = '';
  for (let i = 0; i < 60 && !tail.includes('FLOOD-END'); i += 1) {
    const res = await callTool(server.client, 'read_output', { sessionId, waitMs: 2000 });
    // A failed read must say why, not end the loop as if the output had run dry.
    if (res.isError) throw new Error(`read_output failed after ${i} reads: ${res.text}`);
    const output = asText(res.data.output);
    largest = Math.max(largest, Buffer.byteLength(output));
    tail = (tail + output).slice(-64);
    if (res.data.running === false && output.length === 0) break;
  }
  expect(tail).toContain('FLOOD-END');
  return largest;
}

describe('shell sandbox: the server process is out of reach', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({
      shell: {
        maxOutputBytes: 64 * 1024,
        policy: { mode: 'denylist', deny: ['sudo'] },
        sandbox: { maxProcesses: 64, maxMemoryMb: 512, maxCpuSeconds: 30 },
      },
    }));
    server = await startShell(dirs, { mode: 'cli', env: { BASTION_TEST_SECRET: SERVER_SECRET } });
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('[SH-ENV-01] no command sees the server environment', async () => {
    for (const command of [
      'env',
      'set',
      'cat /proc/self/environ',
      `cat /proc/${server.pid}/environ`,
      'cat /proc/*/environ',
      `cat /proc/1/environ; cat /proc/$PPID/environ`,
      'ps eww -A 2>/dev/null',
    ]) {
      expect(await all(server, command), command).not.toContain(SERVER_SECRET);
    }
  });

  it('[SH-KILL-01] a command cannot kill the server; the next call still works', async () => {
    for (const command of [
      `kill -9 ${server.pid}`,
      'pkill node',
      'pkill -9 -f bastion',
      'kill -9 -1',
    ]) {
      await all(server, command);
      expect(isAlive(server.pid), command).toBe(true);
      const next = await callTool(server.client, 'run_command', { command: 'echo alive' });
      expect(next.data.stdout, command).toBe('alive\n');
    }
  });

  it('[SH-BG-01] a background child does not outlive the command timeout', async () => {
    const marker = path.join(dirs.root, 'bg-marker');
    const res = await callTool(server.client, 'run_command', {
      command: `nohup sh -c 'sleep 2; touch ${marker}' >/dev/null 2>&1 & disown; setsid sh -c 'sleep 2; touch ${marker}' & sleep 20`,
      timeoutMs: 1000,
    });
    expect(res.data.timedOut).toBe(true);
    await sleep(3500);
    expect(existsSync(marker)).toBe(false);
  });

  it('[SH-BG-01] a background child of a command that exits at once is killed with it', async () => {
    const marker = path.join(dirs.root, 'bg-exit-marker');
    await callTool(server.client, 'run_command', {
      command: `(sleep 2; touch ${marker}) >/dev/null 2>&1 &`,
    });
    await sleep(3500);
    expect(existsSync(marker)).toBe(false);
  });

  it('[SH-DOS-01] an output flood comes back capped and server memory stays bounded', async () => {
    const yes = await callTool(server.client, 'run_command', {
      command: 'yes | head -c 200M',
      timeoutMs: 60_000,
    });
    expect(String(yes.data.stdout).length).toBeLessThan(64 * 1024 + 200);
    expect(yes.data.stdoutTruncated).toBe(true);
    expect(Number(yes.data.stdoutBytes)).toBeGreaterThan(1024 * 1024);
    const zero = await callTool(server.client, 'run_command', {
      command: 'cat /dev/zero',
      timeoutMs: 5000,
    });
    expect(String(zero.data.stdout).length).toBeLessThan(64 * 1024 + 200);
    expect(zero.data.exitCode === 0).toBe(false);
    // A session is never killed for output, so the whole flood flows through its ring buffer.
    // The first flood warms the allocator and GC up; the second one must not grow the server.
    await floodSession(server, '100M');
    const before = rssKb(server.pid);
    const largestRead = await floodSession(server, '300M');
    expect(largestRead).toBeLessThanOrEqual(1024 * 1024);
    const after = rssKb(server.pid);
    // 300 MB went through; the server may grow by GC slack, never by the flood itself.
    expect(after - before).toBeLessThan(100 * 1024);
  });

  it('[SH-DOS-02] a process flood hits the process limit and the server still answers', async () => {
    await all(server, 'for i in $(seq 1 1000); do sleep 3 & done; wait', 8000);
    await all(server, ':(){ :|:& };:', 3000);
    const next = await callTool(server.client, 'run_command', { command: 'echo survived' });
    expect(next.data.stdout).toBe('survived\n');
    expect(isAlive(server.pid)).toBe(true);
  });

  it('[SH-SES-03] sessions die when the server is closed', async () => {
    const local = makeShellDirs();
    const marker = path.join(local.root, 'close-marker');
    const own = await startShell(local, { mode: 'cli' });
    const started = await callTool(own.client, 'start_session', {
      command: `sleep 2; touch ${marker}`,
    });
    expect(started.isError).toBe(false);
    await own.close();
    await sleep(3000);
    expect(existsSync(marker)).toBe(false);
    removeShellDirs(local);
  });

  it('[SH-SES-03] sessions die when the server is SIGKILLed', async () => {
    const local = makeShellDirs();
    const marker = path.join(local.root, 'sigkill-marker');
    const own = await startShell(local, { mode: 'cli' });
    const started = await callTool(own.client, 'start_session', {
      command: `echo ready; sleep 2; touch ${marker}`,
    });
    // Wait until the sandbox is up: the race with a half-started sandbox is SH-SES-03's known gap.
    await readUntil(own.client, String(started.data.sessionId), (o) => o.includes('ready'));
    process.kill(own.pid, 'SIGKILL');
    await sleep(3000);
    expect(existsSync(marker)).toBe(false);
    await own.close().catch(() => undefined);
    removeShellDirs(local);
  });
});

describe('shell sandbox: network off', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;
  let listener: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
    dirs = makeShellDirs(() => ({ shell: { policy: { mode: 'denylist', deny: ['sudo'] } } }));
    server = await startShell(dirs, { mode: 'cli' });
  });

  afterAll(async () => {
    await server?.close();
    listener?.close();
    removeShellDirs(dirs);
  });

  it('[SH-NET-01] a command cannot reach a listener on 127.0.0.1', async () => {
    for (const command of [
      `echo hi > /dev/tcp/127.0.0.1/${port}`,
      `curl -s -m 3 http://127.0.0.1:${port}/`,
      `python3 -c "import socket; socket.create_connection(('127.0.0.1', ${port}), 3)"`,
      `node -e "require('net').connect(${port}, '127.0.0.1').on('error', () => {})"`,
    ]) {
      await all(server, command);
    }
    await sleep(500);
    expect(connections).toBe(0);
  });
});
