import { existsSync } from 'node:fs';
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

describe('shell server: session idle timeout', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({ shell: { sessionIdleMs: 800 } }));
    server = await startShell(dirs);
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('kills a session left idle, with its children', async () => {
    const marker = path.join(dirs.root, 'idle-marker');
    const started = await callTool(server.client, 'start_session', {
      command: `(sleep 4; touch ${marker}) & sleep 4; touch ${marker}`,
    });
    const sessionId = String(started.data.sessionId);
    await sleep(5000);
    expect(existsSync(marker)).toBe(false);
    const snap = await callTool(server.client, 'read_output', { sessionId, waitMs: 0 });
    expect(snap.data.running).toBe(false);
    expect(snap.data.end).toBe('idle-timeout');
    const expired = server.auditRecords().find((r) => r.tool === 'session_expired');
    expect(expired?.details).toMatchObject({ reason: 'idle-timeout' });
  });
});

describe('shell server: session lifetime and stdin bounds', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({ shell: { sessionIdleMs: 60_000, sessionLifetimeMs: 2000 } }));
    server = await startShell(dirs);
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('kills a busy session at the end of its lifetime even while it is being read', async () => {
    const marker = path.join(dirs.root, 'lifetime-marker');
    const started = await callTool(server.client, 'start_session', {
      command: `for i in 1 2 3 4 5 6; do echo tick; sleep 0.5; done; touch ${marker}`,
    });
    const sessionId = String(started.data.sessionId);
    let last: Record<string, unknown> = {};
    for (let i = 0; i < 8 && last.running !== false; i += 1) {
      last = (await callTool(server.client, 'read_output', { sessionId, waitMs: 1000 })).data;
    }
    expect(last.running).toBe(false);
    expect(last.end).toBe('lifetime-exceeded');
    await sleep(2000);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses input to a program that does not read it, instead of queueing forever', async () => {
    const started = await callTool(server.client, 'start_session', { command: 'sleep 30' });
    const sessionId = String(started.data.sessionId);
    const big = 'x'.repeat(1024 * 1024 - 1);
    const results: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      results.push(
        (await callTool(server.client, 'send_input', { sessionId, input: big })).isError,
      );
    }
    expect(results).toContain(true);
    const echo = await callTool(server.client, 'run_command', { command: 'echo responsive' });
    expect(echo.data.stdout).toBe('responsive\n');
    await callTool(server.client, 'kill_session', { sessionId });
  });
});
