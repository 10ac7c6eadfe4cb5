import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidStateFileError } from '../../errors/index.js';
import {
  hubLogPath,
  hubPidPath,
  hubStatePath,
  readHubPid,
  readHubState,
  removeHubState,
  writeHubPid,
  writeHubState,
  type HubState,
} from './state-file.js';

const STATE: HubState = {
  pid: 4242,
  url: 'http://127.0.0.1:8765',
  listen: '127.0.0.1:8765',
  startedAt: '2026-12-03T22:00:00.000Z',
  updatedAt: '2026-12-03T22:00:02.000Z',
  version: '0.1.0',
  servers: {
    files: { path: '/mcp/files', calls: 3, refusals: 1, sessions: 2 },
    shell: { path: '/mcp/shell', calls: 0, refusals: 0, sessions: 0, sandbox: 'bwrap' },
  },
};

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'bastion-hub-state-'));
});
afterEach(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

describe('hub state file', () => {
  it('puts the files under <stateDir>/logs', () => {
    expect(hubStatePath('/s')).toBe('/s/logs/hub.json');
    expect(hubPidPath('/s')).toBe('/s/logs/hub.pid');
    expect(hubLogPath('/s')).toBe('/s/logs/hub.log');
  });

  it('reads back what was written, private, with no temp file left', () => {
    writeHubState(stateDir, STATE);
    expect(readHubState(stateDir)).toEqual(STATE);
    expect(statSync(hubStatePath(stateDir)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(stateDir, 'logs')).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.join(stateDir, 'logs'))).toEqual(['hub.json']);
  });

  it('replaces the previous state whole', () => {
    writeHubState(stateDir, STATE);
    writeHubState(stateDir, { ...STATE, servers: {} });
    expect(readHubState(stateDir)?.servers).toEqual({});
    expect(readdirSync(path.join(stateDir, 'logs'))).toEqual(['hub.json']);
  });

  it('is undefined when no hub recorded a state', () => {
    expect(readHubState(stateDir)).toBeUndefined();
    expect(readHubPid(stateDir)).toBeUndefined();
  });

  it('refuses a state it did not write', () => {
    writeHubState(stateDir, STATE);
    writeFileSync(hubStatePath(stateDir), '{"pid": "12"}');
    expect(() => readHubState(stateDir)).toThrow(InvalidStateFileError);
    writeFileSync(hubStatePath(stateDir), 'not json');
    expect(() => readHubState(stateDir)).toThrow(/expected JSON/);
  });

  it('refuses to write a state that does not match the schema', () => {
    expect(() => writeHubState(stateDir, { ...STATE, pid: 0 })).toThrow();
    expect(readHubState(stateDir)).toBeUndefined();
  });

  it('keeps the pid file private and reads only a plain positive pid', () => {
    writeHubPid(stateDir, 1234);
    expect(readHubPid(stateDir)).toBe(1234);
    expect(statSync(hubPidPath(stateDir)).mode & 0o777).toBe(0o600);
    for (const bad of ['-1', '0', '12abc', '', '1 2', '99999999999'] as const) {
      writeFileSync(hubPidPath(stateDir), `${bad}\n`);
      expect(() => readHubPid(stateDir), bad).toThrow(InvalidStateFileError);
    }
  });

  it('removes both files, and absent files are fine', () => {
    writeHubState(stateDir, STATE);
    writeHubPid(stateDir, STATE.pid);
    removeHubState(stateDir);
    expect(readdirSync(path.join(stateDir, 'logs'))).toEqual([]);
    removeHubState(stateDir);
    removeHubState(path.join(stateDir, 'never-created'));
  });

  it('with a pid, removes only the files that record that pid', () => {
    writeHubState(stateDir, STATE);
    writeHubPid(stateDir, STATE.pid);
    removeHubState(stateDir, { pid: STATE.pid + 1 });
    expect(readHubState(stateDir)).toEqual(STATE);
    expect(readHubPid(stateDir)).toBe(STATE.pid);
    removeHubState(stateDir, { pid: STATE.pid });
    expect(readdirSync(path.join(stateDir, 'logs'))).toEqual([]);
  });

  it('leaves the file readable as JSON for other tools', () => {
    writeHubState(stateDir, STATE);
    expect(JSON.parse(readFileSync(hubStatePath(stateDir), 'utf8'))).toEqual(STATE);
  });
});
