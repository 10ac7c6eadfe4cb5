import { describe, expect, it } from 'vitest';
import type { HubState } from '../../hub/lifecycle/index.js';
import { buildStatusReport, formatStatus, formatUptime, statusExitCode } from './status-format.js';

const NOW = Date.parse('2026-12-03T23:00:00.000Z');
const STATE: HubState = {
  pid: 77,
  url: 'http://127.0.0.1:8765',
  listen: '127.0.0.1:8765',
  startedAt: '2026-12-03T21:58:55.000Z',
  updatedAt: '2026-12-03T22:59:59.000Z',
  version: '0.1.0',
  servers: {
    shell: { path: '/mcp/shell', calls: 2, refusals: 1, sessions: 1, sandbox: 'bwrap' },
    files: { path: '/mcp/files', calls: 9, refusals: 0, sessions: 3 },
  },
};

describe('status report', () => {
  it('shows a healthy hub with its counts, exit 0', () => {
    const report = buildStatusReport(
      { running: true, pid: 77, state: STATE, stale: [] },
      { ok: true, status: 200 },
      NOW,
    );
    expect(report).toMatchObject({ running: true, healthy: true, pid: 77, uptimeSeconds: 3665 });
    expect(statusExitCode(report)).toBe(0);
    const text = formatStatus(report);
    expect(text[0]).toBe('bastion hub: running');
    expect(text).toContain('  uptime    1h 1m 5s');
    expect(text).toContain('  healthz   ok (200)');
    expect(text).toContain('  servers   files  /mcp/files  calls 9  refusals 0  sessions 3');
    expect(text).toContain(
      '            shell  /mcp/shell  calls 2  refusals 1  sessions 1  sandbox bwrap',
    );
  });

  it('exits 3 when not running and lists stale records', () => {
    const report = buildStatusReport(
      { running: false, stale: [{ file: '/s/logs/hub.pid', pid: 5, reason: 'dead' }] },
      undefined,
      NOW,
    );
    expect(statusExitCode(report)).toBe(3);
    expect(formatStatus(report)).toEqual([
      'bastion hub: not running',
      '  stale     /s/logs/hub.pid named pid 5, which is no longer running',
    ]);
  });

  it('exits 1 when the process runs but /healthz fails, and flags a stale state', () => {
    const report = buildStatusReport(
      {
        running: true,
        pid: 77,
        state: { ...STATE, updatedAt: '2026-12-03T22:59:00.000Z' },
        stale: [],
      },
      { ok: false, error: 'connect ECONNREFUSED' },
      NOW,
    );
    expect(statusExitCode(report)).toBe(1);
    const text = formatStatus(report);
    expect(text[0]).toBe('bastion hub: running (not answering /healthz)');
    expect(text).toContain('  healthz   FAILED (connect ECONNREFUSED)');
    expect(text).toContain('  state     not updated for 60s (the hub may be stuck)');
  });

  it('formats uptimes', () => {
    expect(formatUptime(0)).toBe('0s');
    expect(formatUptime(90_061)).toBe('1d 1h 1m 1s');
  });
});
