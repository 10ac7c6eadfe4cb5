import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../helpers/mcp-client.js';

const PLAIN_UID = 4242;

interface RunOptions {
  // Run as this uid/gid via setpriv (the ordinary-user case).
  asUid?: number;
  home?: string;
}

// Run the built CLI to completion, as a user would from a shell.
function runCli(args: string[], options: RunOptions = {}) {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: options.home ?? process.env.HOME ?? '/root',
  };
  const argv = [process.execPath, CLI_PATH, ...args];
  const [command, ...rest] =
    options.asUid === undefined
      ? argv
      : [
          'setpriv',
          '--reuid',
          String(options.asUid),
          '--regid',
          String(options.asUid),
          '--clear-groups',
          ...argv,
        ];
  const result = spawnSync(command!, rest, { encoding: 'utf8', env, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Gone = no such pid, or a zombie nobody reaps (in containers PID 1 may never reap).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function tempHome(prefix: string): string {
  return realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
}

function initHome(home: string, options: RunOptions = {}): void {
  const init = runCli(['init', '--home', home], options);
  expect(init.code, init.stderr).toBe(0);
}

// `bastion start` on a free port; returns the URL and pid it printed.
function startHub(home: string, options: RunOptions = {}): { url: string; pid: number } {
  const start = runCli(['start', '--home', home, '--listen', '127.0.0.1:0'], options);
  expect(start.code, `${start.stdout}\n${start.stderr}`).toBe(0);
  const match = /hub running at (https?:\/\/\S+) \(pid (\d+)\)/.exec(start.stdout);
  expect(match, start.stdout).not.toBeNull();
  return { url: match![1]!, pid: Number(match![2]) };
}

const homes: string[] = [];
const sleepers: ChildProcess[] = [];
afterAll(() => {
  for (const home of homes) {
    runCli(['stop', '--home', home, '--timeout', '5s']);
    rmSync(home, { recursive: true, force: true });
  }
  for (const sleeper of sleepers) sleeper.kill('SIGKILL');
});

describe('bastion start | status | logs | stop', () => {
  it('runs the hub in the background and stops it, leaving nothing behind', async () => {
    const home = tempHome('bastion-hub-life-');
    homes.push(home);
    initHome(home);
    const { url, pid } = startHub(home);
    expect(isAlive(pid)).toBe(true);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const status = runCli(['status', '--home', home]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('bastion hub: running');
    expect(status.stdout).toContain(`pid       ${pid}`);
    expect(status.stdout).toContain('healthz   ok (200)');
    expect(status.stdout).toMatch(/files\s+\/mcp\/files\s+calls \d+/);
    const json = JSON.parse(runCli(['status', '--home', home, '--json']).stdout);
    expect(json).toMatchObject({ running: true, healthy: true, pid, url });
    expect(json.servers.files).toMatchObject({ path: '/mcp/files' });

    const again = runCli(['start', '--home', home, '--listen', '127.0.0.1:0']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`already running (pid ${pid}`);
    expect(isAlive(pid)).toBe(true);

    const logs = runCli(['logs', '--home', home, '-n', '100']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('--- bastion start');
    expect(logs.stdout.trim().split('\n').length).toBeGreaterThan(1);
    expect(runCli(['logs', '--home', home, '-n', '1']).stdout.trim().split('\n')).toHaveLength(1);

    const stop = runCli(['stop', '--home', home]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`hub stopped (pid ${pid})`);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(path.join(home, 'logs', 'hub.json'))).toBe(false);
    expect(existsSync(path.join(home, 'logs', 'hub.pid'))).toBe(false);

    const after = runCli(['status', '--home', home]);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('bastion hub: not running');
    expect(JSON.parse(runCli(['status', '--home', home, '--json']).stdout)).toMatchObject({
      running: false,
    });

    const stopAgain = runCli(['stop', '--home', home]);
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stdout).toContain('not running');
  });

  it('restart replaces the running hub with a new process', () => {
    const home = tempHome('bastion-hub-restart-');
    homes.push(home);
    initHome(home);
    const first = startHub(home);
    const restart = runCli(['restart', '--home', home, '--listen', '127.0.0.1:0']);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toContain(`hub stopped (pid ${first.pid})`);
    const second = Number(
      /\(pid (\d+)\)\n/.exec(restart.stdout.split('hub running at')[1] ?? '')?.[1],
    );
    expect(isAlive(first.pid)).toBe(false);
    expect(isAlive(second)).toBe(true);
    expect(runCli(['stop', '--home', home]).code).toBe(0);
    expect(isAlive(second)).toBe(false);
  });

  it('clears a pid file whose process is dead', () => {
    const home = tempHome('bastion-hub-stale-');
    homes.push(home);
    initHome(home);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path.join(home, 'logs', 'hub.pid'), `${dead}\n`, { mode: 0o600 });
    const status = runCli(['status', '--home', home]);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain(`pid ${dead}, which is no longer running`);
    const stop = runCli(['stop', '--home', home]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('not running');
    expect(existsSync(path.join(home, 'logs', 'hub.pid'))).toBe(false);
  });

  it('never signals a live process that now holds a recorded pid', () => {
    const home = tempHome('bastion-hub-reused-');
    homes.push(home);
    initHome(home);
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    sleepers.push(sleeper);
    const pid = sleeper.pid!;
    writeFileSync(path.join(home, 'logs', 'hub.pid'), `${pid}\n`, { mode: 0o600 });
    const stop = runCli(['stop', '--home', home, '--timeout', '1s']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('now another program (left alone)');
    expect(isAlive(pid)).toBe(true);
    // A start is not blocked by it either, and still leaves it alone.
    writeFileSync(path.join(home, 'logs', 'hub.pid'), `${pid}\n`, { mode: 0o600 });
    const { pid: hubPid } = startHub(home);
    expect(hubPid).not.toBe(pid);
    expect(runCli(['stop', '--home', home]).code).toBe(0);
    expect(isAlive(pid)).toBe(true);
  });

  it('prints the last lines of the log when the hub cannot start', () => {
    const home = tempHome('bastion-hub-fail-');
    homes.push(home);
    initHome(home);
    const start = runCli(['start', '--home', home, '--listen', 'not-an-address']);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain('the hub did not start');
    expect(start.stderr).toContain('last lines of');
    expect(runCli(['status', '--home', home]).code).toBe(3);
  });

  const canDropPrivileges =
    process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
  it.skipIf(!canDropPrivileges)('works for an ordinary user with a home of their own', () => {
    const home = tempHome('bastion-hub-user-');
    homes.push(home);
    chownSync(home, PLAIN_UID, PLAIN_UID);
    const as = { asUid: PLAIN_UID, home };
    initHome(home, as);
    const { pid } = startHub(home, as);
    const status = runCli(['status', '--home', home], as);
    expect(status.code, status.stderr).toBe(0);
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(
      new RegExp(`\\nUid:\\s+${PLAIN_UID}\\s`),
    );
    const stop = runCli(['stop', '--home', home], as);
    expect(stop.code, stop.stderr).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('bastion client-config', () => {
  it('prints stdio lines for every client and HTTP ones with no secret', () => {
    const home = tempHome('bastion-client-config-');
    homes.push(home);
    initHome(home);
    const stdio = runCli(['client-config', '--home', home]);
    expect(stdio.code, stdio.stderr).toBe(0);
    expect(stdio.stdout).toContain(
      `claude mcp add bastion-files -- node ${CLI_PATH} serve files --home ${home}`,
    );
    for (const heading of ['# Claude Desktop', '# Claude Code', '# Cursor', '# VS Code'])
      expect(stdio.stdout).toContain(heading);
    const http = runCli(['client-config', '--home', home, '--http', '--token-name', 'laptop']);
    expect(http.code, http.stderr).toBe(0);
    expect(http.stdout).toContain('"url": "http://127.0.0.1:8765/mcp/files"');
    expect(http.stdout).toContain(
      'claude mcp add --transport http bastion-shell http://127.0.0.1:8765/mcp/shell --header "Authorization: Bearer $BASTION_TOKEN"',
    );
    expect(http.stdout).toContain('bastion token create laptop');
    const url = runCli([
      'client-config',
      '--home',
      home,
      '--http',
      '--url',
      'https://hub.example.com/',
    ]);
    expect(url.stdout).toContain('"url": "https://hub.example.com/mcp/files"');
  });
});
