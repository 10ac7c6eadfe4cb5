import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_PATH, REPO_ROOT, startServer, textOf } from '../helpers/mcp-client.js';

function runCli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempHome(): string {
  return realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-home-')));
}

describe('bastion CLI', () => {
  it('init writes a private, valid config from the template and creates ./workspace', () => {
    const home = tempHome();
    const { code, stdout } = runCli(['init', '--home', home]);
    expect(code).toBe(0);
    const file = path.join(home, 'config/mcp_settings.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    expect(settings.mcpServers['bastion-files'].args).toContain(home);
    expect(existsSync(path.join(home, 'workspace'))).toBe(true);
    expect(stdout).toContain('config is valid');
    // A second init keeps the user's file.
    writeFileSync(
      file,
      JSON.stringify({ bastion: { roots: [{ path: './workspace', mode: 'read-only' }] } }),
    );
    expect(runCli(['init', '--home', home]).stdout).toContain('keeping it');
    expect(readFileSync(file, 'utf8')).toContain('read-only');
  });

  it('a bad config stops serve before it starts, listing every problem by key path and file', () => {
    const home = tempHome();
    mkdirSync(path.join(home, 'config'));
    const file = path.join(home, 'config/mcp_settings.json');
    writeFileSync(
      file,
      JSON.stringify({
        bastion: {
          roots: [{ path: '${BASTION_TEST_UNSET_VAR}' }],
          limits: { maxReadBytes: -1 },
          extra: 1,
        },
      }),
    );
    const { code, stderr } = runCli(['serve', 'files', '--home', home]);
    expect(code).toBe(2);
    expect(stderr).toContain(file);
    expect(stderr).toContain(
      'bastion.roots[0].path: environment variable ${BASTION_TEST_UNSET_VAR} is not set',
    );
    expect(stderr).toContain('bastion.limits.maxReadBytes');
    expect(stderr).toContain('extra');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('serve refuses an unknown server name and a missing root', () => {
    expect(runCli(['serve', 'printer', '--root', tmpdir()]).code).toBe(2);
    const missing = runCli(['serve', 'files', '--root', '/nonexistent-bastion-root']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('directory does not exist');
  });

  it('serve shell refuses to start without a sandbox and says how to fix it', () => {
    const home = tempHome();
    mkdirSync(path.join(home, 'ws'));
    // No bwrap on this PATH: the shell server must not start unconfined.
    const { code, stderr } = runCli(
      ['serve', 'shell', '--home', home, '--root', path.join(home, 'ws')],
      {
        PATH: '/nonexistent-bastion-path',
      },
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(/bubblewrap/i);
    expect(stderr).toMatch(/apt-get install/);
  });

  it('with the sandbox turned off in the config, shell starts only with a loud warning, and doctor warns', async () => {
    const home = tempHome();
    mkdirSync(path.join(home, 'ws'));
    mkdirSync(path.join(home, 'config'));
    writeFileSync(
      path.join(home, 'config/mcp_settings.json'),
      JSON.stringify({
        bastion: { roots: [{ path: './ws' }], shell: { sandbox: { enabled: false } } },
      }),
    );
    const server = await startServer({ server: 'shell', args: ['--home', home] });
    const result = await server.client.callTool({
      name: 'run_command',
      arguments: { command: 'echo unconfined-ok' },
    });
    expect(textOf(result)).toContain('unconfined-ok');
    await server.close();
    expect(server.stderr()).toContain('WARNING: the shell sandbox is DISABLED');
    expect(runCli(['doctor', '--home', home, '--skip-npm-audit']).stdout).toMatch(
      /\[WARN\] sandbox: DISABLED/,
    );
  });

  it('doctor reports every check and passes on this machine', () => {
    const home = tempHome();
    mkdirSync(path.join(home, 'ws'));
    const { code, stdout } = runCli([
      'doctor',
      '--home',
      home,
      '--root',
      path.join(home, 'ws'),
      '--skip-npm-audit',
    ]);
    expect(stdout).toMatch(/\[ok {2}\] node/);
    expect(stdout).toMatch(/\[ok {2}\] config/);
    expect(stdout).toMatch(/\[ok {2}\] sandbox/);
    expect(stdout).toMatch(/\[ok {2}\] ripgrep/);
    expect(code).toBe(0);
  });

  it('doctor fails when the audit log was tampered with', async () => {
    const home = tempHome();
    const ws = path.join(home, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'a.txt'), 'hello');
    const server = await startServer({ server: 'files', args: ['--root', ws, '--home', home] });
    await server.client.callTool({
      name: 'read_text_file',
      arguments: { path: path.join(ws, 'a.txt') },
    });
    await server.client.callTool({ name: 'list_allowed_directories', arguments: {} });
    await server.close();
    const auditFile = path.join(home, 'logs/audit.jsonl');
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(runCli(['doctor', '--home', home, '--root', ws, '--skip-npm-audit']).stdout).toMatch(
      /\[ok {2}\] audit log/,
    );
    writeFileSync(auditFile, `${lines.slice(1).join('\n')}\n`); // delete the first record
    const after = runCli(['doctor', '--home', home, '--root', ws, '--skip-npm-audit']);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/\[FAIL\] audit log: .*chain broken/);
  });

  it('audits each call with tool, decision, duration and redacted arguments', async () => {
    const home = tempHome();
    const ws = path.join(home, 'ws');
    mkdirSync(ws);
    const server = await startServer({ server: 'files', args: ['--root', ws, '--home', home] });
    const denied = await server.client.callTool({
      name: 'read_text_file',
      arguments: { path: '/etc/passwd' },
    });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).not.toContain('root:x:0');
    const deniedWrite = await server.client.callTool({
      name: 'write_file',
      arguments: { path: path.join(home, 'outside.txt'), content: 'x' },
    });
    expect(deniedWrite.isError).toBe(true);
    expect(existsSync(path.join(home, 'outside.txt'))).toBe(false);
    // Calls the SDK refuses before any tool runs (bad arguments, unknown tool) are audited too.
    const malformed = await server.client.callTool({
      name: 'read_text_file',
      arguments: { path: 42 },
    });
    expect(malformed.isError).toBe(true);
    // An unknown tool is a protocol error (-32602), as the spec names it, and still audited.
    await expect(
      server.client.callTool({ name: 'format_disk', arguments: {} }),
    ).rejects.toMatchObject({ code: -32602 });
    await server.close();
    const records = readFileSync(path.join(home, 'logs/audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // A call that changes nothing (read-only, idempotent) is one record, written before its
    // answer left.
    const record = records.find((r) => r.tool === 'read_text_file' && r.phase === 'complete');
    expect(record).toMatchObject({ server: 'files', decision: 'deny', outcome: 'denied' });
    expect(typeof record.durationMs).toBe('number');
    expect(record.client).toBe('bastion-test-client');
    expect(record.args).toEqual({ path: '/etc/passwd' });
    expect(typeof record.call).toBe('string');
    const rejected = records.filter((r) => r.errorCode === 'INVALID_ARGUMENTS');
    expect(rejected.map((r) => r.tool).sort()).toEqual(['format_disk', 'read_text_file']);
    expect(rejected[0]).toMatchObject({ decision: 'error', outcome: 'error' });
    // A call that can change something has an intent (written before it ran) and an outcome
    // with the same call id; the two the SDK refused have one record each: five in all.
    const intent = records.find((r) => r.tool === 'write_file' && r.phase === 'intent');
    const outcome = records.find((r) => r.tool === 'write_file' && r.phase === 'outcome');
    expect(intent).toMatchObject({ client: 'bastion-test-client' });
    expect(intent.decision).toBeUndefined();
    expect(outcome).toMatchObject({ call: intent.call, decision: 'deny', outcome: 'denied' });
    expect(records).toHaveLength(5);
  });
});

export { REPO_ROOT };
