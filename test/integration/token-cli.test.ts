import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileTokenStore, tokenFilePath } from '../../src/auth/store/file-token-store.js';
import { CLI_PATH } from '../helpers/mcp-client.js';

const TOKEN = /^bst_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/;
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-token-cli-')));
  homes.push(home);
  return home;
}

function runCli(home: string, args: string[]) {
  const result = spawnSync(process.execPath, [CLI_PATH, 'token', ...args, '--home', home], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// What a running hub would answer for this secret, read from the same file.
async function verifyIn(home: string, secret: string) {
  const store = createFileTokenStore({ file: tokenFilePath(home) });
  try {
    return await store.verify(secret.trim());
  } finally {
    await store.close();
  }
}

describe('bastion token', () => {
  it('[AUTH-TOKEN-01] create prints the secret alone on stdout, keeps only its hash in a 0600 file', async () => {
    const home = newHome();
    const made = runCli(home, ['create', 'ci', '--expires', '30d']);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(TOKEN);
    expect(made.stderr).toMatch(/created ci \(files,shell, read-write, expires \d{4}-/);
    expect(made.stderr).not.toContain(made.stdout.trim());
    const file = tokenFilePath(home);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(made.stdout.trim());
    expect(text).not.toContain(made.stdout.trim().slice(21));
    expect(readdirSync(path.dirname(file))).toEqual(['tokens.json']);
    expect(await verifyIn(home, made.stdout)).toEqual({
      tokenName: 'ci',
      servers: ['files', 'shell'],
      readOnly: false,
    });

    const dash = runCli(home, ['create', 'grafana', '--servers', 'dashboard', '--read-only']);
    expect(dash.code).toBe(0);
    expect(await verifyIn(home, dash.stdout)).toEqual({
      tokenName: 'grafana',
      servers: ['dashboard'],
      readOnly: true,
    });
  });

  it('[AUTH-TOKEN-01] list shows names, scopes, access and times, never a secret or hash', () => {
    const home = newHome();
    const empty = runCli(home, ['list']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/no tokens yet/);
    const a = runCli(home, ['create', 'alpha', '--servers', 'files,dashboard', '--read-only']);
    const b = runCli(home, ['create', 'beta', '--expires', '12h']);
    const list = runCli(home, ['list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME +SCOPES +ACCESS +CREATED +EXPIRES +LAST USED$/);
    expect(lines[1]).toMatch(/^alpha +files,dashboard +read-only +\S+Z +never +-$/);
    expect(lines[2]).toMatch(/^beta +files,shell +read-write +\S+Z +\S+Z +-$/);
    const json = runCli(home, ['list', '--json']);
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.tokenName, r.servers, r.readOnly, r.expired])).toEqual([
      ['alpha', ['files', 'dashboard'], true, false],
      ['beta', ['files', 'shell'], false, false],
    ]);
    const hashes = Object.values(JSON.parse(readFileSync(tokenFilePath(home), 'utf8')).tokens).map(
      (t) => (t as { hash: string }).hash,
    );
    for (const out of [list.stdout + list.stderr, json.stdout + json.stderr]) {
      for (const secret of [a.stdout.trim(), b.stdout.trim()]) {
        expect(out).not.toContain(secret.slice(21));
      }
      for (const hash of hashes) expect(out).not.toContain(hash);
      expect(out).not.toMatch(/bst_/);
    }
  });

  it('revoke and rotate: the old secret stops working, the rotated one is printed alone', async () => {
    const home = newHome();
    const made = runCli(home, ['create', 'ci', '--servers', 'shell']);
    const rotated = runCli(home, ['rotate', 'ci']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(TOKEN);
    expect(rotated.stdout).not.toBe(made.stdout);
    expect(rotated.stderr).toMatch(/rotated ci \(shell, read-write, never expires\)/);
    expect(await verifyIn(home, made.stdout)).toBeUndefined();
    expect((await verifyIn(home, rotated.stdout))?.servers).toEqual(['shell']);
    const revoked = runCli(home, ['revoke', 'ci']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe('');
    expect(revoked.stderr).toMatch(/revoked ci/);
    expect(await verifyIn(home, rotated.stdout)).toBeUndefined();
    expect(runCli(home, ['list', '--json']).stdout).toBe('');
  });

  it('bad input exits non-zero with a message on stderr and nothing on stdout', () => {
    const home = newHome();
    expect(runCli(home, ['create', 'ci']).code).toBe(0);
    const cases: [string[], RegExp][] = [
      [['create', 'ci'], /expected a new token name, got "ci", which exists/],
      [['create', 'x', '--expires', '3w'], /expected a number followed by s, m, h or d .*got "3w"/],
      [['create', 'x', '--expires', '0d'], /expected a number followed by s, m, h or d/],
      [
        ['create', 'x', '--servers', 'files,root'],
        /--servers: expected a comma-separated list of files, shell, dashboard, got "files,root"/,
      ],
      [['create', 'x', '--servers', ''], /--servers: expected a comma-separated list/],
      [['create', 'bad name'], /expected a token name of 1-64 letters/],
      [['revoke', 'nope'], /expected the name of an existing token .*got "nope"/],
      [['rotate', 'nope'], /expected the name of an existing token .*got "nope"/],
    ];
    for (const [args, message] of cases) {
      const result = runCli(home, args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(runCli(home, ['list', '--json']).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a corrupt token file is an error, not an empty list', () => {
    const home = newHome();
    runCli(home, ['create', 'ci']);
    const file = tokenFilePath(home);
    rmSync(file);
    spawnSync('sh', ['-c', `printf '{"version":2}' > "${file}" && chmod 600 "${file}"`]);
    const list = runCli(home, ['list']);
    expect(list.code).toBe(1);
    expect(list.stdout).toBe('');
    expect(list.stderr).toContain(`expected a token file in ${file}`);
  });
});
