import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolEra } from '../helpers/mcp-client.js';
import {
  callTool,
  makeShellDirs,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from './shell-harness.js';

const confirmSettings = (): Record<string, unknown> => ({
  shell: { policy: { mode: 'denylist', deny: ['shred'], confirm: ['touch'] } },
});

const ERAS: ProtocolEra[] = ['legacy', 'modern'];

// 2025: elicitation/create; 2026-07-28: an input-required result the client answers on retry.
describe.each(ERAS)('shell server: confirmation in the %s era', (era) => {
  let dirs: ShellTestDirs;
  let asking: ShellTestServer;
  let mute: ShellTestServer;
  let answer: 'approve' | 'refuse' | 'decline' = 'approve';
  const prompts: string[] = [];

  beforeAll(async () => {
    dirs = makeShellDirs(confirmSettings);
    asking = await startShell(dirs, {
      era,
      capabilities: { elicitation: { form: {} } },
      setup: (client) => {
        client.setRequestHandler('elicitation/create', (request) => {
          prompts.push(request.params.message);
          if (answer === 'decline') return { action: 'decline' };
          return { action: 'accept', content: { approve: answer === 'approve' } };
        });
      },
    });
    mute = await startShell(dirs, { era });
  });

  afterAll(async () => {
    await asking?.close();
    await mute?.close();
    removeShellDirs(dirs);
  });

  it('runs a confirm-rule command once the user accepts', async () => {
    answer = 'approve';
    const marker = path.join(dirs.root, 'approved-marker');
    const res = await callTool(asking.client, 'run_command', { command: `touch ${marker}` });
    expect(res.isError).toBe(false);
    expect(existsSync(marker)).toBe(true);
    expect(prompts.at(-1)).toContain(`touch ${marker}`);
  });

  it('does not run it when the user declines or answers approve=false', async () => {
    for (const choice of ['decline', 'refuse'] as const) {
      answer = choice;
      const marker = path.join(dirs.root, `${choice}-marker`);
      const res = await callTool(asking.client, 'run_command', { command: `touch ${marker}` });
      expect(res.isError).toBe(true);
      expect(res.text).toContain('did not approve');
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('refuses when the client cannot ask the user, saying why', async () => {
    const marker = path.join(dirs.root, 'mute-marker');
    const res = await callTool(mute.client, 'run_command', { command: `touch ${marker}` });
    expect(res.isError).toBe(true);
    expect(res.text).toContain('elicitation');
    expect(existsSync(marker)).toBe(false);
    const record = mute
      .auditRecords()
      .find(
        (r) => (r.details as Record<string, unknown> | undefined)?.command === `touch ${marker}`,
      );
    expect(record?.decision).toBe('deny');
    expect(typeof record?.rule).toBe('string');
  });

  it('refuses a denied command naming the rule, and audits it as deny', async () => {
    const victim = path.join(dirs.root, 'victim');
    const res = await callTool(mute.client, 'run_command', { command: `shred -u ${victim}` });
    expect(res.isError).toBe(true);
    expect(res.text).toMatch(/rule "[^"]+"/);
  });
});

describe('shell server: per-root command rules', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;
  let docs: string;

  beforeAll(async () => {
    dirs = makeShellDirs((d) => {
      docs = path.join(d.base, 'docs');
      mkdirSync(docs);
      return {
        roots: [
          {
            path: d.root,
            mode: 'read-write',
            commands: { mode: 'allowlist', allow: ['git', 'npm'] },
          },
          { path: docs, mode: 'read-only', commands: { mode: 'none' } },
        ],
      };
    });
    server = await startShell(dirs);
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('runs nothing with a commands:none root as cwd', async () => {
    const marker = path.join(dirs.root, 'docs-marker');
    for (const command of ['ls', 'git --version', `git init ${marker}`]) {
      const res = await callTool(server.client, 'run_command', { command, cwd: docs });
      expect(res.isError, command).toBe(true);
    }
    expect(existsSync(marker)).toBe(false);
    const session = await callTool(server.client, 'start_session', {
      command: 'git --version',
      cwd: docs,
    });
    expect(session.isError).toBe(true);
  });

  it('runs only allowlisted programs in the project root', async () => {
    const marker = path.join(dirs.root, 'project-marker');
    const git = await callTool(server.client, 'run_command', { command: 'git --version' });
    expect(git.isError).toBe(false);
    expect(String(git.data.stdout)).toContain('git version');
    for (const command of [
      `touch ${marker}`,
      `git --version; touch ${marker}`,
      `cp /etc/hostname ${marker}.txt`,
    ]) {
      const res = await callTool(server.client, 'run_command', { command });
      expect(res.isError, command).toBe(true);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${marker}.txt`)).toBe(false);
  });
});
