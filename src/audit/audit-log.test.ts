import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_FILE_NAME, createAuditLog, verifyAuditLines } from './index.js';

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
