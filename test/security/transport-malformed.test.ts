import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeShellDirs, removeShellDirs } from '../integration/shell-harness.js';
import { spawnRaw, type RawServer, type Reply } from '../integration/raw-stdio.js';

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;
const JUNK_BYTES = 64 * 1024 * 1024;

interface Started {
  server: RawServer;
  root: string;
  auditFile: string;
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

async function start(kind: 'files' | 'shell'): Promise<Started> {
  if (kind === 'files') {
    const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-raw-')));
    // The home (and its history) never inside a root.
    const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-raw-home-')));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const server = spawnRaw('files', ['--root', root, '--home', home]);
    await server.initialize();
    return { server, root, auditFile: path.join(home, 'logs/audit.jsonl') };
  }
  const dirs = makeShellDirs();
  cleanups.push(() => removeShellDirs(dirs));
  const server = spawnRaw('shell', ['--home', dirs.home, '--config', dirs.configPath]);
  await server.initialize();
  return { server, root: dirs.root, auditFile: path.join(dirs.home, 'logs/audit.jsonl') };
}

let probe = 0;
// Send one line, then a ping: the replies before the ping's answer are the line's answers.
async function answersTo(server: RawServer, line: string | Buffer): Promise<Reply[]> {
  const before = server.replies().length;
  const pingId = `ping-${(probe += 1)}`;
  server.write(line);
  server.write(`\n{"jsonrpc":"2.0","id":"${pingId}","method":"ping"}\n`);
  const pong = await server.waitFor((reply) => reply.id === pingId);
  expect(pong.result).toEqual({});
  const all = server.replies();
  return all.slice(before, all.indexOf(pong));
}

function refusedIn(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes('refused a JSON-RPC message'));
}

function refusedLogLines(server: RawServer): string[] {
  return refusedIn(server.stderr());
}

const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

// [name, line, expected code, expected id]
const MALFORMED: [string, string, number, unknown][] = [
  ['truncated JSON', '{"jsonrpc":"2.0","id":5,"method":"ping"', PARSE_ERROR, null],
  ['an object that is no message', '{"hello":1}', INVALID_REQUEST, null],
  ['no jsonrpc member', '{"id":3,"method":"ping"}', INVALID_REQUEST, 3],
  ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":4,"method":"ping"}', INVALID_REQUEST, 4],
  ['a batch', '[{"jsonrpc":"2.0","id":6,"method":"ping"}]', INVALID_REQUEST, null],
  ['a number', '42', INVALID_REQUEST, null],
];

describe.each(['files', 'shell'] as const)('malformed input on stdio: %s server', (kind) => {
  it('[TR-MSG-01] answers every line that is no JSON-RPC message, logs it once, keeps serving', async () => {
    const { server } = await start(kind);
    try {
      for (const [name, line, code, id] of MALFORMED) {
        const logged = refusedLogLines(server).length;
        const answers = await answersTo(server, line);
        expect(answers, name).toHaveLength(1);
        expect(answers[0], name).toMatchObject({ jsonrpc: '2.0', id, error: { code } });
        expect(answers[0]!.error!.message.length, name).toBeLessThan(160);
        await server.waitForStderr((text) => refusedIn(text).length > logged);
        const lines = refusedLogLines(server);
        expect(lines.length, name).toBe(logged + 1);
        expect(lines.at(-1)!.length, name).toBeLessThan(600);
      }
    } finally {
      server.end();
      await server.exited;
    }
  });

  it('[TR-MSG-02] survives a 100,000-deep array and a message of a million tiny values', async () => {
    const { server } = await start(kind);
    try {
      expect(await answersTo(server, deepArray)).toMatchObject([
        { id: null, error: { code: INVALID_REQUEST } },
      ]);
      expect(await answersTo(server, '['.repeat(100_000))).toMatchObject([
        { id: null, error: { code: PARSE_ERROR } },
      ]);
      // Deep inside a real call's arguments: refused before any validator recurses into it, and
      // answered with the call's id (a 100,000-deep one is refused unparsed, so with id null).
      const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      const deepCall = `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"run_command","arguments":{"command":${nested}}}}`;
      expect(await answersTo(server, deepCall)).toMatchObject([
        { id: 'deep', error: { code: INVALID_REQUEST } },
      ]);
      const wide = `{"jsonrpc":"2.0","id":"wide","method":"ping","params":{"x":[${'{},'.repeat(1_000_000)}{}]}}`;
      expect(await answersTo(server, wide)).toMatchObject([
        { id: 'wide', error: { code: INVALID_REQUEST } },
      ]);
      expect(server.child.exitCode).toBeNull();
    } finally {
      server.end();
      await server.exited;
    }
  });

  it('[TR-MSG-03] answers a 64 MiB line of junk and logs only a prefix of it', async () => {
    const { server } = await start(kind);
    try {
      const stderrBefore = server.stderr().length;
      const answers = await answersTo(server, Buffer.alloc(JUNK_BYTES, 'x'));
      // The files cap (3 x maxWriteBytes + 1 MiB) admits 64 MiB, so the junk is parsed and
      // refused; the shell cap (10 MiB) drops it while it streams and says so.
      expect(answers).toMatchObject([
        { id: null, error: { code: kind === 'files' ? PARSE_ERROR : INVALID_REQUEST } },
      ]);
      if (kind === 'shell') expect(answers[0]!.error!.message).toMatch(/Message too large/);
      expect(server.stderr().length - stderrBefore).toBeLessThan(1000);
    } finally {
      server.end();
      await server.exited;
    }
  });

  it('[TR-PARAMS-01] answers arguments that are not an object with -32602 and one short line', async () => {
    const { server, auditFile } = await start(kind);
    const tool = kind === 'files' ? 'write_file' : 'run_command';
    const cases: [string, string][] = [
      ['"touch marker"', 'string'],
      ['["marker"]', 'array'],
      ['7', 'number'],
    ];
    try {
      for (const [raw, type] of cases) {
        const id = `args-${type}`;
        const answers = await answersTo(
          server,
          `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"${tool}","arguments":${raw}}}`,
        );
        expect(answers).toEqual([
          {
            jsonrpc: '2.0',
            id,
            error: { code: INVALID_PARAMS, message: `arguments: expected an object, got ${type}` },
          },
        ]);
      }
      const noName = await answersTo(
        server,
        '{"jsonrpc":"2.0","id":"no-name","method":"tools/call","params":{"arguments":{}}}',
      );
      expect(noName).toMatchObject([
        {
          id: 'no-name',
          error: { code: INVALID_PARAMS, message: 'name: expected a string, got nothing' },
        },
      ]);
    } finally {
      server.end();
      await server.exited;
    }
    const records = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const refused = records.filter((r) => r.errorCode === 'INVALID_ARGUMENTS');
    expect(refused).toHaveLength(4);
    expect(refused.slice(0, 3).every((r) => r.tool === tool)).toBe(true);
  });
});

describe('no tool runs for refused arguments', () => {
  it('[TR-PARAMS-01] run_command with a string for arguments leaves no marker', async () => {
    const { server, root } = await start('shell');
    try {
      const marker = path.join(root, 'marker');
      await answersTo(
        server,
        `{"jsonrpc":"2.0","id":"m","method":"tools/call","params":{"name":"run_command","arguments":"touch ${marker}"}}`,
      );
      expect(existsSync(marker)).toBe(false);
    } finally {
      server.end();
      await server.exited;
    }
  });
});
