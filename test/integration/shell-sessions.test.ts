import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  makeShellDirs,
  readUntil,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from './shell-harness.js';

function hasProgram(name: string): boolean {
  try {
    execFileSync('/bin/sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('shell server: sessions', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({
      shell: {
        maxSessions: 3,
        sessionBufferBytes: 2048,
        policy: { mode: 'denylist', deny: ['touch'] },
      },
    }));
    server = await startShell(dirs);
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('runs a bash session: send, read, list, kill', async () => {
    const started = await callTool(server.client, 'start_session', { command: 'bash' });
    expect(started.isError).toBe(false);
    const sessionId = String(started.data.sessionId);
    expect(started.data.inputIsPolicyChecked).toBe(true);

    expect(
      (await callTool(server.client, 'send_input', { sessionId, input: 'echo hi-from-session' }))
        .isError,
    ).toBe(false);
    const { output } = await readUntil(server.client, sessionId, (o) =>
      o.includes('hi-from-session'),
    );
    expect(output).toContain('hi-from-session');

    await callTool(server.client, 'send_input', { sessionId, input: 'cd /tmp && pwd; x=42' });
    await callTool(server.client, 'send_input', { sessionId, input: 'echo "x is $x"' });
    const state = await readUntil(server.client, sessionId, (o) => o.includes('x is 42'));
    expect(state.output).toContain('x is 42');

    const listed = await callTool(server.client, 'list_sessions', {});
    const entries = listed.data.sessions as { sessionId: string; running: boolean }[];
    expect(entries.find((s) => s.sessionId === sessionId)?.running).toBe(true);

    const killed = await callTool(server.client, 'kill_session', { sessionId });
    expect(killed.isError).toBe(false);
    expect(killed.data.running).toBe(false);
    const after = await callTool(server.client, 'list_sessions', {});
    expect(
      (after.data.sessions as { sessionId: string }[]).some((s) => s.sessionId === sessionId),
    ).toBe(false);
    expect((await callTool(server.client, 'read_output', { sessionId })).isError).toBe(true);
  });

  it('reports the exit code of a session whose program ends', async () => {
    const started = await callTool(server.client, 'start_session', { command: 'echo bye; exit 3' });
    const sessionId = String(started.data.sessionId);
    const { output, last } = await readUntil(server.client, sessionId, () => false);
    expect(output).toContain('bye');
    expect(last.running).toBe(false);
    expect(last.exitCode).toBe(3);
    const send = await callTool(server.client, 'send_input', { sessionId, input: 'echo late' });
    expect(send.isError).toBe(true);
  });

  it.skipIf(!hasProgram('python3'))('runs a python3 -i REPL session', async () => {
    const started = await callTool(server.client, 'start_session', { command: 'python3 -i -q' });
    const sessionId = String(started.data.sessionId);
    expect(started.data.inputIsPolicyChecked).toBe(true);
    await callTool(server.client, 'send_input', { sessionId, input: 'print(6 * 7)' });
    const { output } = await readUntil(server.client, sessionId, (o) => o.includes('42'));
    expect(output).toContain('42');
    await callTool(server.client, 'kill_session', { sessionId });
  });

  it.skipIf(!hasProgram('python3'))(
    '[SH-SES-04] a denied command typed into a python REPL is not sent',
    async () => {
      const marker = path.join(dirs.root, 'repl-marker');
      const started = await callTool(server.client, 'start_session', { command: 'python3 -i -q' });
      const sessionId = String(started.data.sessionId);
      for (const input of [
        `import os; os.system('touch ${marker}')`,
        `import subprocess; subprocess.run(['touch', '${marker}'])`,
        `__import__('os').system('touch ${marker}')`,
      ]) {
        const res = await callTool(server.client, 'send_input', { sessionId, input });
        expect(res.isError, input).toBe(true);
      }
      await callTool(server.client, 'send_input', { sessionId, input: "print('repl-done')" });
      await readUntil(server.client, sessionId, (o) => o.includes('repl-done'));
      expect(existsSync(marker)).toBe(false);
      await callTool(server.client, 'kill_session', { sessionId });
    },
  );

  it('[SH-SES-01] a denied command sent to a bash session is refused and never reaches the shell', async () => {
    const marker = path.join(dirs.root, 'session-marker');
    const started = await callTool(server.client, 'start_session', { command: 'bash' });
    const sessionId = String(started.data.sessionId);
    const refused = await callTool(server.client, 'send_input', {
      sessionId,
      input: `touch ${marker}`,
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('touch');
    // A split line continuation would otherwise join two harmless inputs into `touch marker`.
    const split = await callTool(server.client, 'send_input', { sessionId, input: 't\\' });
    expect(split.isError).toBe(true);
    await callTool(server.client, 'send_input', {
      sessionId,
      input: `ouch ${marker}; echo sent-done`,
    });
    await readUntil(server.client, sessionId, (o) => o.includes('sent-done'));
    expect(existsSync(marker)).toBe(false);
    await callTool(server.client, 'kill_session', { sessionId });
  });

  it('refuses a denied start command and starts nothing', async () => {
    const marker = path.join(dirs.root, 'start-marker');
    const res = await callTool(server.client, 'start_session', { command: `touch ${marker}` });
    expect(res.isError).toBe(true);
    await sleep(300);
    expect(existsSync(marker)).toBe(false);
  });

  it('caps unread output and says how many bytes were dropped', async () => {
    const started = await callTool(server.client, 'start_session', {
      command: 'head -c 50000 /dev/zero | tr "\\0" y; echo; echo LAST',
    });
    const sessionId = String(started.data.sessionId);
    await sleep(1500);
    const { output, last } = await readUntil(server.client, sessionId, (o) => o.includes('LAST'));
    expect(output).toContain('LAST');
    expect(output.length).toBeLessThanOrEqual(2048);
    const snap = await callTool(server.client, 'read_output', { sessionId, waitMs: 0 });
    expect(Number(last.droppedBytes) + Number(snap.data.droppedBytes)).toBeGreaterThan(0);
  });

  it('refuses a session over maxSessions, then accepts one after a kill', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await callTool(server.client, 'start_session', { command: 'sleep 60' });
      expect(res.isError).toBe(false);
      ids.push(String(res.data.sessionId));
    }
    const over = await callTool(server.client, 'start_session', { command: 'sleep 60' });
    expect(over.isError).toBe(true);
    expect(over.text).toContain('maximum is 3');
    await callTool(server.client, 'kill_session', { sessionId: ids[0] });
    const again = await callTool(server.client, 'start_session', { command: 'sleep 60' });
    expect(again.isError).toBe(false);
    for (const id of [...ids.slice(1), String(again.data.sessionId)]) {
      await callTool(server.client, 'kill_session', { sessionId: id });
    }
  });

  it('refuses unknown session ids and out-of-range waits with actionable messages', async () => {
    const unknown = await callTool(server.client, 'read_output', { sessionId: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('list_sessions');
    const started = await callTool(server.client, 'start_session', { command: 'bash' });
    const tooLong = await callTool(server.client, 'read_output', {
      sessionId: started.data.sessionId,
      waitMs: 999_999,
    });
    expect(tooLong.text).toContain('waitMs: expected 0..30000');
    expect(tooLong.isError).toBe(true);
    await callTool(server.client, 'kill_session', { sessionId: started.data.sessionId });
  });
});
