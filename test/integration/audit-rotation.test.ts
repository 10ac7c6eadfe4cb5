import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listLogFiles, listRotatedFiles } from '../../src/audit/index.js';
import { CLI_PATH, startServer, type StartedServer } from '../helpers/mcp-client.js';

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

// A home whose settings rotate audit.jsonl at 8 KiB (about 20 calls of the files server).
function rotatingHome(): { home: string; ws: string; logs: string } {
  const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-rotation-it-')));
  homes.push(home);
  const ws = path.join(home, 'ws');
  mkdirSync(ws);
  mkdirSync(path.join(home, 'config'));
  writeFileSync(
    path.join(home, 'config', 'mcp_settings.json'),
    JSON.stringify({ bastion: { audit: { rotateBytes: 8192 } } }),
  );
  return { home, ws, logs: path.join(home, 'logs') };
}

// The same without blocking, so servers can be driven while it runs.
function runCliAsync(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

function runCli(args: string[]) {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// `count` writes in waves of 10 in flight, each to its own file.
async function writeMany(server: StartedServer, ws: string, prefix: string, count: number) {
  for (let done = 0; done < count; done += 10) {
    const wave = Array.from({ length: Math.min(10, count - done) }, (_, i) =>
      server.client.callTool({
        name: 'write_file',
        arguments: { path: path.join(ws, `${prefix}-${done + i}.txt`), content: `${done + i}` },
      }),
    );
    for (const result of await Promise.all(wave)) expect(result.isError).toBeFalsy();
  }
}

describe('audit log rotation with real servers', () => {
  it('two server processes writing at once across many rotations leave a log that verifies, every call whole', async () => {
    const { home, ws, logs } = rotatingHome();
    const args = ['--root', ws, '--home', home];
    const [one, two] = await Promise.all([
      startServer({ server: 'files', args }),
      startServer({ server: 'files', args }),
    ]);
    await Promise.all([writeMany(one, ws, 'one', 200), writeMany(two, ws, 'two', 200)]);
    await Promise.all([one.close(), two.close()]);
    const rotated = listRotatedFiles(logs);
    expect(rotated.length).toBeGreaterThan(10);
    // No line torn or glued to another: every line of every file is one record.
    for (const file of listLogFiles(logs)) {
      const text = readFileSync(path.join(logs, file), 'utf8');
      for (const line of text.split('\n').filter((l) => l !== ''))
        expect(() => JSON.parse(line) as unknown, `${file}: ${line.slice(0, 80)}`).not.toThrow();
    }
    const verify = runCli(['audit', 'verify', '--home', home]);
    expect(verify.stdout).toMatch(
      /intact \(\d+ records, 2 streams, \d+ signed checkpoints, \d+ files\)/,
    );
    expect(verify.code).toBe(0);
    const query = runCli(['audit', 'query', '--json', '--tool', 'write_file', '--home', home]);
    const calls = query.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: { path: string }; outcome: string; incomplete?: true });
    expect(calls).toHaveLength(400);
    expect(calls.filter((c) => c.incomplete || c.outcome !== 'ok')).toEqual([]);
    expect(new Set(calls.map((c) => c.args.path)).size).toBe(400);
    const errors = runCli(['audit', 'errors', '--home', home]);
    expect(errors.stdout).toMatch(/no errors recorded/);
    // Dropping one rotated file is found, by name.
    rmSync(path.join(logs, rotated[4]!));
    const dropped = runCli(['audit', 'verify', '--home', home]);
    expect(dropped.code).toBe(1);
    expect(dropped.stdout).toContain(`rotated file ${rotated[4]!} is missing`);
  });

  it('verify while two servers write and rotate: no false alarm', async () => {
    const { home, ws, logs } = rotatingHome();
    const args = ['--root', ws, '--home', home];
    const [one, two] = await Promise.all([
      startServer({ server: 'files', args }),
      startServer({ server: 'files', args }),
    ]);
    let writing = true;
    const writes = Promise.all([writeMany(one, ws, 'one', 300), writeMany(two, ws, 'two', 300)]);
    void writes.finally(() => (writing = false));
    const reports: { code: number | null; stdout: string }[] = [];
    while (writing && reports.length < 6)
      reports.push(await runCliAsync(['audit', 'verify', '--home', home]));
    await writes;
    await Promise.all([one.close(), two.close()]);
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports) {
      expect(report.stdout).toMatch(/: intact \(/);
      expect(report.code).toBe(0);
    }
    expect(listRotatedFiles(logs).length).toBeGreaterThan(10);
  });

  it('`audit tail -f` keeps following across rotations: every call once, none missed', async () => {
    const { home, ws, logs } = rotatingHome();
    const server = await startServer({ server: 'files', args: ['--root', ws, '--home', home] });
    await server.client.callTool({ name: 'list_allowed_directories', arguments: {} });
    const tail = spawn(
      process.execPath,
      [CLI_PATH, 'audit', 'tail', '-f', '--json', '-n', '1', '--home', home],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' } },
    );
    let out = '';
    tail.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const waitFor = async (done: () => boolean): Promise<void> => {
      // The follower polls every 200 ms: wait, bounded, for what it should print.
      for (let i = 0; i < 300 && !done(); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
    };
    try {
      // Following once the last record before it is printed.
      await waitFor(() => out.includes('list_allowed_directories'));
      expect(out).toContain('list_allowed_directories');
      await writeMany(server, ws, 'tailed', 120);
      await server.close();
      expect(listRotatedFiles(logs).length).toBeGreaterThan(3);
      const wanted = Array.from({ length: 120 }, (_, i) => path.join(ws, `tailed-${i}.txt`));
      const intentsOf = (text: string): string[] =>
        text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { phase?: string; args: { path?: string } })
          .filter((r) => r.phase === 'intent' && r.args.path !== undefined)
          .map((r) => r.args.path!);
      await waitFor(() => intentsOf(out).includes(wanted.at(-1)!));
      expect(intentsOf(out).sort()).toEqual([...wanted].sort());
    } finally {
      tail.kill('SIGKILL');
    }
  });
});
