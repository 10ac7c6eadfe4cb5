import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_FILE_NAME,
  CHECKPOINT_FILE_NAME,
  createAuditLog,
  verifyAuditDir,
  verifyAuditLines,
} from './index.js';

function event(tool: string, args: unknown = {}) {
  return { server: 'files', tool, args, decision: 'allow' as const, durationMs: 1, outcome: 'ok' };
}

describe('audit log', () => {
  it('appends one JSON line per event with an intact hash chain across two writers', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const a = createAuditLog({ dir });
    const b = createAuditLog({ dir });
    a.record(event('read_text_file'));
    b.record(event('run_command'));
    a.record(event('write_file'));
    a.close();
    b.close();
    const lines = readFileSync(path.join(dir, AUDIT_FILE_NAME), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(verifyAuditLines(lines)).toEqual([]);
  });

  it('writes each line as exactly the record it returns (hash last), for any argument text', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const log = createAuditLog({ dir });
    const returned = ['plain', 'quote " and \\ backslash', 'line\u2028sep é 😀', ''].map((text) =>
      log.record(event('write_file', { path: text, content: text })),
    );
    log.close();
    const lines = readFileSync(path.join(dir, AUDIT_FILE_NAME), 'utf8').trim().split('\n');
    expect(lines).toEqual(returned.map((record) => JSON.stringify(record)));
    expect(verifyAuditLines(lines)).toEqual([]);
  });

  it('detects an edited record and a deleted record', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const log = createAuditLog({ dir });
    for (const tool of ['a', 'b', 'c']) log.record(event(tool));
    log.close();
    const file = path.join(dir, AUDIT_FILE_NAME);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const edited = [...lines];
    edited[1] = edited[1]!.replace('"decision":"allow"', '"decision":"deny"');
    expect(verifyAuditLines(edited).join()).toMatch(/hash mismatch/);
    expect(verifyAuditLines([lines[0]!, lines[2]!]).join()).toMatch(/chain broken/);
    writeFileSync(file, lines.join('\n'));
  });

  it('redacts secrets in arguments before they reach the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const log = createAuditLog({ dir });
    log.record(
      event('run_command', {
        command:
          'curl -H "Authorization: Bearer abcdefghijklmnop1234" https://x && export API_TOKEN=s3cr3tvalue',
        apiKey: 'sk-live-0123456789abcdefXYZ',
        content: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
      }),
    );
    log.close();
    const text = readFileSync(path.join(dir, AUDIT_FILE_NAME), 'utf8');
    for (const secret of [
      'abcdefghijklmnop1234',
      's3cr3tvalue',
      'sk-live-0123456789abcdefXYZ',
      'MIIE',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
  });
});

describe('audit log writing', () => {
  it('starts a record on a line of its own after another writer left a torn fragment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const log = createAuditLog({ dir, env: {} });
    log.record(event('first'));
    // Another process died mid-write: its fragment ends the file without a newline.
    appendFileSync(path.join(dir, AUDIT_FILE_NAME), '{"time":"2026-01-01T00:00:00.000Z","stre');
    log.record(event('second'));
    log.close();
    const lines = readFileSync(path.join(dir, AUDIT_FILE_NAME), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!)).toMatchObject({ tool: 'second', seq: 1 });
    const report = verifyAuditDir({ dir });
    expect(report.problems).toEqual([]);
    expect(report.notes.join()).toMatch(/line 2: a fragment of a record cut short/);
  });

  it('writes a signed checkpoint on its timer while records arrive, and one at close', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const log = createAuditLog({ dir, env: {}, checkpointEveryMs: 5 });
    log.record(event('a'));
    const file = path.join(dir, CHECKPOINT_FILE_NAME);
    while (!readFileSync(file, 'utf8').includes('"reason":"interval"'))
      await new Promise((resolve) => setTimeout(resolve, 5));
    log.close();
    const reasons = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { reason: string }).reason);
    expect(reasons).toEqual(['start', 'interval', 'close']);
    expect(verifyAuditDir({ dir }).ok).toBe(true);
  });

  it('masks the values of secret-named environment variables, and secrets in tool and client names', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const secret = 'hunter2-but-longer-9f8e';
    const log = createAuditLog({
      dir,
      env: { DB_PASSWORD: secret, SHORT_KEY: 'abc', PATH: '/usr/bin' },
    });
    log.record({
      ...event(`tool-${secret}`, { note: `echo ${secret}`, nested: [{ x: `a${secret}b` }] }),
      client: `client ${secret}`,
      details: { output: `printed ${secret}` },
    });
    log.record(event('run_command', { command: 'mysql -uroot -pS3cretPw prod -e "select 1"' }));
    log.record(event('run_command', { command: 'mkdir -p /tmp/x && abc' }));
    log.close();
    const text = readFileSync(path.join(dir, AUDIT_FILE_NAME), 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('S3cretPw');
    // Short values and ordinary flags are left alone.
    expect(text).toContain('mkdir -p /tmp/x && abc');
  });

  it('searches only the head of a huge value, and keeps no half of a token cut at its end', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bastion-audit-'));
    const log = createAuditLog({ dir, env: {} });
    const token = `ghp_${'Q'.repeat(36)}`;
    log.record(
      event('write_file', { content: `${'a'.repeat(4096 - 20)}${token}${'b'.repeat(1e6)}` }),
    );
    log.record(event('write_file', { content: `${'a'.repeat(3000)}${token}${'b'.repeat(10)}` }));
    log.close();
    const text = readFileSync(path.join(dir, AUDIT_FILE_NAME), 'utf8');
    expect(text).not.toContain('ghp_');
    expect(text).toMatch(/more chars\]/);
  });
});
