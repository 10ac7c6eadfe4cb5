import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth } from './health-check.js';
import { inspectHub } from './inspect-hub.js';
import { isHubProcess, isProcessAlive } from './process-check.js';
import { startHub, type StartHubOptions } from './start-hub.js';
import { hubLogPath, hubPidPath, hubStatePath, writeHubPid } from './state-file.js';
import { stopHub } from './stop-hub.js';

const FAKE_HUB = fileURLToPath(new URL('../../../test/fixtures/fake-hub.js', import.meta.url));

let stateDir: string;
const children: ChildProcess[] = [];
const started: number[] = [];

beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'bastion-lifecycle-'));
});
afterEach(() => {
  for (const pid of started) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const child of children) child.kill('SIGKILL');
  started.length = 0;
  children.length = 0;
  rmSync(stateDir, { recursive: true, force: true });
});

function options(mode: string, overrides: Partial<StartHubOptions> = {}): StartHubOptions {
  return {
    stateDir,
    nodePath: process.execPath,
    mainScript: FAKE_HUB,
    hubArgs: ['--home', stateDir],
    timeoutMs: 15_000,
    env: { ...process.env, FAKE_HUB_MODE: mode },
    ...overrides,
  };
}

async function start(mode: string, overrides: Partial<StartHubOptions> = {}) {
  const result = await startHub(options(mode, overrides));
  if (result.started) started.push(result.pid);
  return result;
}

// A process that is surely not a hub, alive until the test ends.
function spawnSleep(): number {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('sleep did not start');
  return child.pid;
}

// The pid of a process that has exited and been reaped.
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('startHub / stopHub', () => {
  it('starts a detached hub, refuses a second, and stops it with its files', async () => {
    const result = await start('ok');
    if (!result.started) throw new Error(`did not start: ${JSON.stringify(result)}`);
    expect(isProcessAlive(result.pid)).toBe(true);
    expect(isHubProcess(result.pid, FAKE_HUB)).toBe(true);
    expect((await checkHealth(result.url)).ok).toBe(true);
    expect(statSync(hubPidPath(stateDir)).mode & 0o777).toBe(0o600);
    expect(statSync(hubLogPath(stateDir)).mode & 0o777).toBe(0o600);
    const inspection = inspectHub(stateDir, FAKE_HUB);
    expect(inspection).toMatchObject({ running: true, pid: result.pid, stale: [] });

    const again = await start('ok');
    expect(again).toEqual({
      started: false,
      alreadyRunning: true,
      pid: result.pid,
      url: result.url,
    });

    const stopped = await stopHub({ stateDir, mainScript: FAKE_HUB, graceMs: 10_000 });
    expect(stopped).toEqual({ running: true, pid: result.pid, outcome: 'terminated', stale: [] });
    expect(isProcessAlive(result.pid)).toBe(false);
    expect(existsSync(hubStatePath(stateDir))).toBe(false);
    expect(existsSync(hubPidPath(stateDir))).toBe(false);
    expect(await stopHub({ stateDir, mainScript: FAKE_HUB, graceMs: 1000 })).toEqual({
      running: false,
      stale: [],
    });
  });

  it('reports a hub that exits at once, with the lines it wrote', async () => {
    const result = await start('exit');
    expect(result).toMatchObject({ started: false, alreadyRunning: false });
    if (result.started || result.alreadyRunning) return;
    expect(result.message).toContain('exited with code 2');
    expect(result.logTail).toContain('fake hub: cannot listen (simulated)');
    expect(result.logTail.some((line) => line.startsWith('--- bastion start'))).toBe(false);
    expect(existsSync(hubPidPath(stateDir))).toBe(false);
  });

  it('stops a hub whose /healthz never answers 200 within the bound', async () => {
    const result = await start('unhealthy', { timeoutMs: 1500 });
    expect(result).toMatchObject({ started: false, alreadyRunning: false });
    if (result.started || result.alreadyRunning) return;
    expect(result.message).toContain('status 503');
    const pid = Number(/fake hub (\d+) starting/.exec(result.logTail.join('\n'))?.[1]);
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(hubStatePath(stateDir))).toBe(false);
    expect(existsSync(hubPidPath(stateDir))).toBe(false);
  });

  it('kills a hub that ignores SIGTERM once the grace period is over', async () => {
    const result = await start('stubborn');
    if (!result.started) throw new Error(`did not start: ${JSON.stringify(result)}`);
    const stopped = await stopHub({ stateDir, mainScript: FAKE_HUB, graceMs: 500 });
    expect(stopped).toMatchObject({ running: true, outcome: 'killed' });
    expect(isProcessAlive(result.pid)).toBe(false);
    expect(existsSync(hubStatePath(stateDir))).toBe(false);
  });

  it('removes a pid file whose process is gone, signalling nothing', async () => {
    const pid = await deadPid();
    writeHubPid(stateDir, pid);
    const stopped = await stopHub({ stateDir, mainScript: FAKE_HUB, graceMs: 1000 });
    expect(stopped).toEqual({
      running: false,
      stale: [{ file: hubPidPath(stateDir), pid, reason: 'dead' }],
    });
    expect(existsSync(hubPidPath(stateDir))).toBe(false);
  });

  it('leaves alone a live process that took over a recorded pid', async () => {
    const pid = spawnSleep();
    writeHubPid(stateDir, pid);
    expect(inspectHub(stateDir, FAKE_HUB)).toEqual({
      running: false,
      stale: [{ file: hubPidPath(stateDir), pid, reason: 'not-a-hub' }],
    });
    const stopped = await stopHub({ stateDir, mainScript: FAKE_HUB, graceMs: 1000 });
    expect(stopped.running).toBe(false);
    expect(isProcessAlive(pid)).toBe(true);
    expect(existsSync(hubPidPath(stateDir))).toBe(false);
    // And a start over that stale record goes ahead.
    const result = await start('ok');
    expect(result.started).toBe(true);
    expect(isProcessAlive(pid)).toBe(true);
  });
});

describe('isHubProcess', () => {
  it('recognises only <node> <main> hub', async () => {
    const result = await start('ok');
    if (!result.started) throw new Error('did not start');
    expect(isHubProcess(result.pid, FAKE_HUB)).toBe(true);
    expect(isHubProcess(result.pid, path.join(path.dirname(FAKE_HUB), 'forever.js'))).toBe(false);
    expect(isHubProcess(spawnSleep(), FAKE_HUB)).toBe(false);
    expect(isHubProcess(await deadPid(), FAKE_HUB)).toBe(false);
  });
});
