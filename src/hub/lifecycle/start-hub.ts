import { spawn } from 'node:child_process';
import { closeSync, constants, fchmodSync, fstatSync, openSync, writeSync } from 'node:fs';
import { waitUntil } from './duration.js';
import { checkHealth, type HealthResult } from './health-check.js';
import { inspectHub, type StaleRecord } from './inspect-hub.js';
import { readLastLines } from './log-tail.js';
import {
  ensureHubLogsDir,
  hubLogPath,
  readHubState,
  removeHubState,
  writeHubPid,
} from './state-file.js';
import { removeStaleRecords } from './stop-hub.js';
import { stopProcess } from './stop-process.js';
import type { HubState } from './state-file.js';

const FAILURE_TAIL_LINES = 20;

export interface StartHubOptions {
  stateDir: string;
  // The node binary and dist/cli/main.js that run `hub`.
  nodePath: string;
  mainScript: string;
  // Flags passed on to `bastion hub` (absolute paths: the hub runs in the state dir).
  hubArgs: readonly string[];
  // How long the hub gets to record its state and answer /healthz.
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

// What `bastion start` did.
export type StartHubResult =
  | { started: true; pid: number; url: string; logFile: string; stale: StaleRecord[] }
  | { started: false; alreadyRunning: true; pid: number; url?: string }
  | { started: false; alreadyRunning: false; message: string; logFile: string; logTail: string[] };

// Open logs/hub.log for appending, private, refusing a symlink planted in its place.
function openHubLog(file: string): number {
  // Security: O_NOFOLLOW: a symlink planted at hub.log cannot send the hub's output into a file
  // the user never chose.
  const fd = openSync(
    file,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o600,
  );
  // Security: a log kept from an older, laxer setup becomes private too.
  fchmodSync(fd, 0o600);
  return fd;
}

// Spawn `<node> <main> hub ...` detached (its own session, output appended to logs/hub.log),
// record its pid, and wait until it has written its state and /healthz answers 200. On any
// failure the child is stopped and the log lines it wrote are returned.
export async function startHub(options: StartHubOptions): Promise<StartHubResult> {
  const { stateDir } = options;
  const inspection = inspectHub(stateDir, options.mainScript);
  if (inspection.running)
    return {
      started: false,
      alreadyRunning: true,
      pid: inspection.pid,
      ...(inspection.state ? { url: inspection.state.url } : {}),
    };
  removeStaleRecords(inspection.stale);
  ensureHubLogsDir(stateDir);
  const logFile = hubLogPath(stateDir);
  const logFd = openHubLog(logFile);
  writeSync(logFd, `--- bastion start ${new Date().toISOString()} ---\n`);
  const runStart = fstatSync(logFd).size;
  const child = spawn(options.nodePath, [options.mainScript, 'hub', ...options.hubArgs], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    cwd: stateDir,
    env: options.env ?? process.env,
  });
  closeSync(logFd);
  let exit: string | undefined;
  child.once('exit', (code, sig) => {
    exit = sig ? `was killed by ${sig}` : `exited with code ${code ?? '?'}`;
  });
  child.once('error', (err) => {
    exit = `could not be started (${err.message})`;
  });
  const pid = child.pid;
  let ready: HubState | undefined;
  let health: HealthResult | undefined;
  if (pid !== undefined) {
    writeHubPid(stateDir, pid);
    await waitUntil(
      async () => {
        if (exit !== undefined) return true;
        let state: HubState | undefined;
        try {
          state = readHubState(stateDir);
        } catch {
          state = undefined;
        }
        if (state?.pid !== pid) return false;
        health = await checkHealth(state.url, 1000);
        if (health.ok) ready = state;
        return health.ok;
      },
      options.timeoutMs,
      150,
    );
  }
  if (ready !== undefined && pid !== undefined && exit === undefined) {
    child.unref();
    return { started: true, pid, url: ready.url, logFile, stale: inspection.stale };
  }
  const waited = `${Math.round(options.timeoutMs / 100) / 10} s`;
  const why =
    exit !== undefined
      ? `the hub ${exit} before it was ready`
      : health === undefined
        ? `the hub did not record its state within ${waited}`
        : `the hub's /healthz did not answer 200 within ${waited} (${health.error ?? `status ${health.status}`})`;
  // The reason is taken before the stop below, which makes the child exit too.
  if (pid !== undefined && exit === undefined) await stopProcess(pid, 3000);
  if (pid !== undefined) removeHubState(stateDir, { pid });
  return {
    started: false,
    alreadyRunning: false,
    message: why,
    logFile,
    logTail: readLastLines(logFile, FAILURE_TAIL_LINES, runStart)?.lines ?? [],
  };
}
