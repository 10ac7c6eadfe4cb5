import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeExecGuard } from '../../src/sandbox/index.js';
import {
  callTool,
  everything,
  makeShellDirs,
  readUntil,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from '../integration/shell-harness.js';
import type { ProtocolEra } from '../helpers/mcp-client.js';
import { ALLOWED, FAMILIES } from './exec-attacks.js';
import { IS_LINUX } from './sandbox-harness.js';

// The whole shell server, parser and kernel together, as an agent meets it: every attack of
// exec-attacks.ts through run_command and through a session, in each mode. Whether the parser
// refuses an attack or the kernel stops it at exec, the marker must stay absent.

const GUARD = IS_LINUX ? probeExecGuard() : null;
const SKIP = !IS_LINUX || GUARD === null || GUARD.abi < 1;
const ATTACKS = Object.values(FAMILIES).flat();
const ERAS: ProtocolEra[] = ['legacy', 'modern'];

interface Mode {
  name: string;
  policy: Record<string, unknown>;
  // How the client answers a confirmation request: none (no elicitation) or decline.
  client: 'mute' | 'declines';
  // The client's protocol era (default: the suite's, $BASTION_TEST_ERA).
  era?: ProtocolEra;
}

const MODES: Mode[] = [
  { name: 'denylist', policy: { mode: 'denylist', deny: ['sudo', 'touch'] }, client: 'mute' },
  {
    name: 'allowlist',
    policy: { mode: 'allowlist', allow: [...ALLOWED, 'bash'] },
    client: 'mute',
  },
  {
    name: 'confirm, client cannot ask',
    policy: { mode: 'denylist', deny: ['sudo'], confirm: ['touch'] },
    client: 'mute',
  },
  {
    name: 'confirm, the person declines',
    policy: { mode: 'denylist', deny: ['sudo'], confirm: ['touch'] },
    client: 'declines',
  },
  {
    name: 'confirm, the person declines a 2026-07-28 input-required request',
    policy: { mode: 'denylist', deny: ['sudo'], confirm: ['touch'] },
    client: 'declines',
    era: 'modern',
  },
];

describe.skipIf(SKIP).each(MODES)('exec rules end to end: $name', ({ policy, client, era }) => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;
  let asked = 0;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({ shell: { policy: { strict: false, ...policy } } }));
    server = await startShell(dirs, {
      mode: 'cli',
      ...(era ? { era } : {}),
      ...(client === 'declines'
        ? {
            capabilities: { elicitation: { form: {} } },
            setup: (c) =>
              c.setRequestHandler('elicitation/create', () => {
                asked += 1;
                return { action: 'decline' };
              }),
          }
        : {}),
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (dirs) removeShellDirs(dirs);
  });

  let counter = 0;
  const caseDir = (): string => {
    const dir = path.join(dirs.root, `case-${counter++}`);
    mkdirSync(dir);
    return dir;
  };

  it('[EXEC-01] [EXEC-02] [EXEC-03] [EXEC-04] [EXEC-05] [EXEC-06] run_command: no attack runs the forbidden program (strict off, so the kernel decides)', async () => {
    for (const attack of ATTACKS) {
      const dir = caseDir();
      const res = await callTool(server.client, 'run_command', { command: attack, cwd: dir });
      expect(existsSync(path.join(dir, 'M')), `${attack}\n${everything(res)}`).toBe(false);
    }
    if (client === 'declines') expect(asked).toBeGreaterThan(0);
  });

  it(
    '[EXEC-05] session: no input runs it either, however the inputs are split',
    { timeout: 240_000 },
    async () => {
      const dir = caseDir();
      const started = await callTool(server.client, 'start_session', { command: 'bash', cwd: dir });
      expect(started.isError, started.text).toBe(false);
      const sessionId = String(started.data.sessionId);
      for (const input of [
        'a=to',
        'b=uch',
        '$a$b M',
        'shopt -s expand_aliases; alias t=touch',
        't M',
        // Each attack's stdin is closed, so none can swallow the inputs that follow (script, cat).
        ...ATTACKS.map(
          (a) => `{ ${a.replaceAll('\n', '; ')}
} < /dev/null`,
        ),
      ])
        await callTool(server.client, 'send_input', { sessionId, input });
      await callTool(server.client, 'send_input', { sessionId, input: 'echo session-$((6*7))' });
      // Some fifty sandboxed commands run in turn: on a loaded 2-core machine that takes far longer
      // than readUntil's default 20 reads of 2 s, so the bound is raised (not a retry: a session
      // that never prints the end marker still fails here).
      const { output } = await readUntil(
        server.client,
        sessionId,
        (o) => o.includes('session-42'),
        90,
      );
      expect(output).toContain('session-42');
      await callTool(server.client, 'kill_session', { sessionId });
      expect(readdirSync(dir)).not.toContain('M');
    },
  );
});

describe.skipIf(SKIP).each(ERAS)(
  'exec rules end to end (%s era): confirm, the person approves one call',
  (era) => {
    let dirs: ShellTestDirs;
    let server: ShellTestServer;
    let approve = true;

    beforeAll(async () => {
      dirs = makeShellDirs(() => ({
        shell: { policy: { mode: 'denylist', deny: ['sudo'], confirm: ['touch'], strict: false } },
      }));
      server = await startShell(dirs, {
        mode: 'cli',
        era,
        capabilities: { elicitation: { form: {} } },
        setup: (c) =>
          c.setRequestHandler('elicitation/create', () =>
            approve ? { action: 'accept', content: { approve: true } } : { action: 'decline' },
          ),
      });
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      if (dirs) removeShellDirs(dirs);
    });

    it('[EXEC-04] the confirmed call runs the program; a later call naming it at run time does not', async () => {
      const confirmed = await callTool(server.client, 'run_command', { command: 'touch A' });
      expect(confirmed.isError, everything(confirmed)).toBe(false);
      expect(existsSync(path.join(dirs.root, 'A'))).toBe(true);
      // Not confirmed (the parser cannot see the name, so nobody is asked): the kernel says no.
      approve = false;
      const later = await callTool(server.client, 'run_command', {
        command: "$(printf '\\x74ouch') B; echo done",
      });
      expect(everything(later)).toContain('done');
      expect(existsSync(path.join(dirs.root, 'B'))).toBe(false);
    });
  },
);

describe.skipIf(SKIP)('exec rules end to end: ordinary development work', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({
      shell: {
        policy: {
          mode: 'allowlist',
          allow: ['git', 'npm', 'node', 'make', 'ls', 'grep', 'sort', 'head', 'wc', 'cat'],
        },
      },
    }));
    writeFileSync(
      path.join(dirs.root, 'package.json'),
      JSON.stringify({ name: 'p', version: '1.0.0', scripts: { test: 'node test.js' } }),
    );
    writeFileSync(path.join(dirs.root, 'test.js'), "console.log('tests-passed');\n");
    writeFileSync(path.join(dirs.root, 'Makefile'), 'all:\n\t@echo made\n');
    server = await startShell(dirs, { mode: 'cli' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (dirs) removeShellDirs(dirs);
  });

  it('git status, npm test, make and coreutils pipelines run under an allowlist naming them', async () => {
    const run = async (command: string): Promise<string> => {
      const res = await callTool(server.client, 'run_command', { command, timeoutMs: 60_000 });
      expect(res.isError, everything(res)).toBe(false);
      return everything(res);
    };
    await run('git init -q . && git status --short');
    expect(await run('npm test')).toContain('tests-passed');
    expect(await run('make')).toContain('made');
    expect(await run('ls | grep -c json | head -1')).toMatch(/\n1\n/);
    expect(existsSync(path.join(dirs.root, '.git', 'HEAD'))).toBe(true);
  });
});
