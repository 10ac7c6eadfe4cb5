import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeShellDirs, removeShellDirs } from '../integration/shell-harness.js';
import { spawnRaw } from '../integration/raw-stdio.js';

const WRITES = 24;

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

function readAudit(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function call(id: string, name: string, args: Record<string, unknown>): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })}\n`;
}

describe('stdin closing with calls in flight', () => {
  it('[TR-EOF-01] files: every write that took effect is answered on stdout and audited, then the server exits', async () => {
    const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-eof-')));
    // The home (and its history) never inside a root.
    const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-eof-home-')));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const server = spawnRaw('files', ['--root', root, '--home', home]);
    await server.initialize();
    const content = (i: number): string => `write ${i}\n`.repeat(20_000);
    // All writes and the end of input leave in one go: stdin closes while they run.
    server.write(
      Array.from({ length: WRITES }, (_, i) =>
        call(`w${i}`, 'write_file', { path: path.join(root, `f${i}.txt`), content: content(i) }),
      ).join(''),
    );
    server.end();
    expect(await server.exited).toBe(0);

    const replies = server.replies();
    const audit = readAudit(path.join(home, 'logs/audit.jsonl')).filter(
      (r) => r.tool === 'write_file',
    );
    for (let i = 0; i < WRITES; i += 1) {
      const file = path.join(root, `f${i}.txt`);
      const answers = replies.filter((reply) => reply.id === `w${i}`);
      // Each call is answered exactly once, with its outcome or as cut short.
      expect(answers, `w${i}`).toHaveLength(1);
      const ok =
        answers[0]!.result !== undefined && !(answers[0]!.result as { isError?: boolean }).isError;
      if (existsSync(file)) {
        expect(readFileSync(file, 'utf8') === content(i), `f${i} content`).toBe(true);
        expect(ok, `w${i} took effect, so its success is on stdout`).toBe(true);
        const recorded = audit.filter(
          (r) => (r.args as { path?: string }).path === file && r.outcome === 'ok',
        );
        expect(recorded, `w${i} audit record`).toHaveLength(1);
      } else {
        expect(ok, `w${i} reported success but wrote nothing`).toBe(false);
      }
    }
  });

  it('[TR-EOF-01] shell: a command that never ends is cancelled, answered and audited, and the server exits', async () => {
    const dirs = makeShellDirs();
    cleanups.push(() => removeShellDirs(dirs));
    const server = spawnRaw('shell', ['--home', dirs.home, '--config', dirs.configPath]);
    await server.initialize();
    server.write(call('forever', 'run_command', { command: 'sleep 600', timeoutMs: 600_000 }));
    server.write(call('quick', 'run_command', { command: 'echo done-quick' }));
    // The quick call has been answered, so both calls are running or done when stdin closes.
    await server.waitFor((reply) => reply.id === 'quick');
    server.end();
    expect(await server.exited).toBe(0);

    const answers = server.replies().filter((reply) => reply.id === 'forever');
    expect(answers).toHaveLength(1);
    const records = readAudit(path.join(dirs.home, 'logs/audit.jsonl')).filter(
      (r) => r.tool === 'run_command' && r.phase === 'outcome',
    );
    expect(records.map((r) => (r.args as { command?: string }).command).sort()).toEqual([
      'echo done-quick',
      'sleep 600',
    ]);
    expect(server.stderr()).toContain('shutdown: cancelling calls still running');
  });
});
