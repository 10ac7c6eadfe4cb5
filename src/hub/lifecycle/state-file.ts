import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writePrivateFileAtomic } from '../../auth/store/private-file.js';
import { InvalidStateFileError } from '../../errors/index.js';

const HUB_STATE_FILE = 'hub.json';
const HUB_PID_FILE = 'hub.pid';
const HUB_LOG_FILE = 'hub.log';
const LOGS_DIR = 'logs';

// Live figures for one server the hub routes (/mcp/<name>), shown by `bastion status`.
export const HubServerStateSchema = z
  .object({
    path: z.string().min(1),
    calls: z.number().int().nonnegative(),
    refusals: z.number().int().nonnegative(),
    sessions: z.number().int().nonnegative(),
    sandbox: z.string().optional(),
  })
  .strict();
export type HubServerState = z.infer<typeof HubServerStateSchema>;

// What a running hub records about itself (written on start and every 2 s, removed on a clean
// stop): how the control commands find it, and what `bastion status` shows.
export const HubStateSchema = z
  .object({
    pid: z.number().int().positive(),
    url: z.string().min(1),
    listen: z.string().min(1),
    startedAt: z.string().min(1),
    updatedAt: z.string().min(1),
    version: z.string().min(1),
    servers: z.record(z.string(), HubServerStateSchema),
  })
  .strict();
export type HubState = z.infer<typeof HubStateSchema>;

// <stateDir>/logs: the hub's files live beside the audit log's default place.
export function hubLogsDir(stateDir: string): string {
  return path.join(stateDir, LOGS_DIR);
}

// The running hub's state file (JSON, HubStateSchema).
export function hubStatePath(stateDir: string): string {
  return path.join(hubLogsDir(stateDir), HUB_STATE_FILE);
}

// The pid `bastion start` recorded for the hub it spawned (decimal, one line).
export function hubPidPath(stateDir: string): string {
  return path.join(hubLogsDir(stateDir), HUB_PID_FILE);
}

// Where a background hub's stdout and stderr go (`bastion logs`).
export function hubLogPath(stateDir: string): string {
  return path.join(hubLogsDir(stateDir), HUB_LOG_FILE);
}

// Create <stateDir>/logs as a private directory.
export function ensureHubLogsDir(stateDir: string): string {
  const dir = hubLogsDir(stateDir);
  // Security: the state names the listen address and the log holds request details; 0700 keeps
  // other local users from reading them or planting a file the control commands would trust.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

// Record the hub's state (0600, atomic, logs dir created 0700). The hub calls this on start and
// every 2 s.
export function writeHubState(stateDir: string, state: HubState): void {
  ensureHubLogsDir(stateDir);
  const checked = HubStateSchema.parse(state);
  writePrivateFileAtomic(hubStatePath(stateDir), `${JSON.stringify(checked, null, 2)}\n`);
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// The recorded hub state, or undefined when no hub recorded one. The pid in it may be dead (the
// hub was killed): callers check it with isProcessAlive before calling the hub running.
export function readHubState(stateDir: string): HubState | undefined {
  const file = hubStatePath(stateDir);
  const text = readIfPresent(file);
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidStateFileError(`expected JSON in ${file}, got unparseable text`);
  }
  const parsed = HubStateSchema.safeParse(raw);
  if (!parsed.success)
    throw new InvalidStateFileError(
      `expected a hub state in ${file}, got: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  return parsed.data;
}

// Record the pid of a hub `bastion start` spawned (0600, atomic).
export function writeHubPid(stateDir: string, pid: number): void {
  ensureHubLogsDir(stateDir);
  writePrivateFileAtomic(hubPidPath(stateDir), `${pid}\n`);
}

// The pid `bastion start` recorded, or undefined when there is no pid file.
export function readHubPid(stateDir: string): number | undefined {
  const file = hubPidPath(stateDir);
  const text = readIfPresent(file);
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  // Security: only a plain positive decimal is a pid; "-1" or "0" would make kill(2) signal a
  // whole process group or every process this user owns.
  if (!/^[1-9][0-9]{0,9}$/.test(trimmed))
    throw new InvalidStateFileError(
      `expected a pid in ${file}, got ${JSON.stringify(trimmed.slice(0, 40))}`,
    );
  return Number(trimmed);
}

export interface RemoveHubStateOptions {
  // Remove each file only when it records this pid. A hub passes its own pid on shutdown, so a
  // second hub that failed to start (port in use) never erases the live one's files.
  pid?: number;
}

function recordedPid(read: () => { pid: number } | number | undefined): number | undefined {
  try {
    const value = read();
    return typeof value === 'number' ? value : value?.pid;
  } catch (err) {
    if (err instanceof InvalidStateFileError) return undefined;
    throw err;
  }
}

// Remove the state file and the pid file (a clean stop). Absent files are fine.
export function removeHubState(stateDir: string, options: RemoveHubStateOptions = {}): void {
  const { pid } = options;
  if (pid === undefined || recordedPid(() => readHubState(stateDir)) === pid)
    rmSync(hubStatePath(stateDir), { force: true });
  if (pid === undefined || recordedPid(() => readHubPid(stateDir)) === pid)
    rmSync(hubPidPath(stateDir), { force: true });
}
