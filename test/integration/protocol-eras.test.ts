import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, textOf, type ProtocolEra } from '../helpers/mcp-client.js';
import {
  callRound,
  callTool,
  makeShellDirs,
  readUntil,
  removeShellDirs,
  startShell,
  type ShellTestServer,
} from './shell-harness.js';

const ERAS: ProtocolEra[] = ['legacy', 'modern'];
const dirs: string[] = [];
function tempRoot(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-era-')));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Both servers over stdio, with a client of each protocol era: the era the connection lands on,
// the tool list (JSON Schema 2020-12), a call, and the calls that need the client's help.
describe.each(ERAS)('stdio in the %s era', (era) => {
  it('files: lands on the era, lists tools and calls one', async () => {
    const root = tempRoot();
    const server = await startServer({
      server: 'files',
      args: ['--root', root, '--home', tempRoot()],
      era,
    });
    try {
      expect(server.client.getProtocolEra()).toBe(era);
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name)).toContain('read_text_file');
      const result = await server.client.callTool({
        name: 'list_allowed_directories',
        arguments: {},
      });
      expect(textOf(result)).toContain(root);
    } finally {
      await server.close();
    }
  });

  it('shell: runs a command, and refuses a confirm rule when the client cannot ask', async () => {
    const dirs = makeShellDirs(() => ({
      shell: { policy: { mode: 'denylist', deny: [], confirm: ['touch'] } },
    }));
    const server = await startShell(dirs, { mode: 'cli', era });
    try {
      expect(server.client.getProtocolEra()).toBe(era);
      const ran = await callTool(server.client, 'run_command', { command: 'echo era-ok' });
      expect(ran.text).toContain('era-ok');
      // `touch` needs the user's confirmation; this client declared no elicitation.
      const marker = path.join(dirs.root, 'confirm-marker');
      const refused = await callTool(server.client, 'run_command', { command: `touch ${marker}` });
      expect(refused.isError).toBe(true);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await server.close();
      removeShellDirs(dirs);
    }
  });

  it('shell: sends progress while a command runs', async () => {
    const root = tempRoot();
    const server = await startServer({
      server: 'shell',
      args: ['--root', root, '--home', tempRoot()],
      era,
    });
    try {
      const progress: number[] = [];
      const result = await server.client.callTool(
        { name: 'run_command', arguments: { command: 'sleep 2.5; echo done' } },
        { onprogress: (p: { progress: number }) => progress.push(p.progress) },
      );
      expect(textOf(result)).toContain('done');
      expect(progress.length).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});

const confirmTouch = (): Record<string, unknown> => ({
  shell: { policy: { mode: 'denylist', deny: [], confirm: ['touch'] } },
});
const APPROVE = { confirm_command: { action: 'accept', content: { approve: true } } };

// A client that asks the person through elicitation and answers as `answer()` says.
function askingClient(answer: () => 'approve' | 'decline') {
  return {
    capabilities: { elicitation: { form: {} } },
    setup: (client: ShellTestServer['client']) => {
      client.setRequestHandler('elicitation/create', () =>
        answer() === 'approve'
          ? { action: 'accept', content: { approve: true } }
          : { action: 'decline' },
      );
    },
  };
}

// The confirm rule in both eras: 2025 asks with elicitation/create; 2026-07-28 returns an
// input-required result and the client re-sends the call with the answer.
describe.each(ERAS)('shell confirm in the %s era', (era) => {
  it('runs the program once the person approves, and not when they decline', async () => {
    const dirs = makeShellDirs(confirmTouch);
    let answer: 'approve' | 'decline' = 'approve';
    const server = await startShell(dirs, { mode: 'cli', era, ...askingClient(() => answer) });
    try {
      expect(server.client.getProtocolEra()).toBe(era);
      const approved = path.join(dirs.root, 'approved-marker');
      const ran = await callTool(server.client, 'run_command', { command: `touch ${approved}` });
      expect(ran.isError, ran.text).toBe(false);
      expect(existsSync(approved)).toBe(true);
      // A session's start command is confirmed the same way.
      const started = path.join(dirs.root, 'session-marker');
      const session = await callTool(server.client, 'start_session', {
        command: `touch ${started}`,
      });
      expect(session.isError, session.text).toBe(false);
      await readUntil(server.client, String(session.data.sessionId), () => false, 5);
      expect(existsSync(started)).toBe(true);
      answer = 'decline';
      const declined = path.join(dirs.root, 'declined-marker');
      const refused = await callTool(server.client, 'run_command', {
        command: `touch ${declined}`,
      });
      expect(refused.isError).toBe(true);
      expect(refused.text).toContain('did not approve');
      expect(existsSync(declined)).toBe(false);
    } finally {
      await server.close();
      removeShellDirs(dirs);
    }
  });
});

// Security: a 2026-07-28 approval is bound to one exact call by a sealed requestState; a client
// cannot make one up, move it to another command, or use it twice.
describe('shell confirm in the modern era: forged and replayed approvals', () => {
  it('[SH-CONF-01] runs nothing on an approval it did not issue for this very call', async () => {
    const dirs = makeShellDirs(confirmTouch);
    const server = await startShell(dirs, {
      mode: 'cli',
      era: 'modern',
      ...askingClient(() => 'approve'),
    });
    const marker = (name: string): string => path.join(dirs.root, name);
    const touch = (name: string) => ({ command: `touch ${marker(name)}` });
    try {
      // An approval sent without any state: ignored, the person is asked instead.
      const unasked = await callRound(server.client, 'run_command', touch('unasked'), {
        inputResponses: APPROVE,
      });
      expect(unasked.resultType).toBe('input_required');
      expect(existsSync(marker('unasked'))).toBe(false);
      // A made-up state: refused by the MAC check before the tool runs.
      const forged = await callRound(server.client, 'run_command', touch('forged'), {
        inputResponses: APPROVE,
        requestState: 'v1.e30.AAAA',
      });
      expect(String(forged.error)).toContain('requestState');
      expect(existsSync(marker('forged'))).toBe(false);

      // The state issued for `touch a`, presented with `touch b`: refused, nothing run.
      const asked = await callRound(server.client, 'run_command', touch('a'));
      expect(asked.resultType).toBe('input_required');
      const requestState = String(asked.requestState);
      const moved = await callRound(server.client, 'run_command', touch('b'), {
        inputResponses: APPROVE,
        requestState,
      });
      expect(moved.isError).toBe(true);
      expect(existsSync(marker('b'))).toBe(false);
      // Another cwd for the same command text: refused too.
      const elsewhere = await callRound(
        server.client,
        'run_command',
        { ...touch('a'), cwd: dirs.root + '/.' },
        { inputResponses: APPROVE, requestState },
      );
      expect(elsewhere.isError).toBe(true);
      expect(existsSync(marker('a'))).toBe(false);

      // Its own call: runs once. The same approval again: refused.
      const used = await callRound(server.client, 'run_command', touch('a'), {
        inputResponses: APPROVE,
        requestState,
      });
      expect(used.isError).not.toBe(true);
      expect(existsSync(marker('a'))).toBe(true);
      rmSync(marker('a'));
      const replayed = await callRound(server.client, 'run_command', touch('a'), {
        inputResponses: APPROVE,
        requestState,
      });
      expect(replayed.isError).toBe(true);
      expect(existsSync(marker('a'))).toBe(false);
    } finally {
      await server.close();
      removeShellDirs(dirs);
    }
  });
});
