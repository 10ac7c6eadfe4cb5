import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE_NAME, createAuditLog } from '../audit/index.js';
import { createAuditView } from './audit-view.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bastion-view-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('audit view', () => {
  it('picks up appended records, merges intent and outcome, and cuts long arguments', () => {
    const dir = tempDir();
    const log = createAuditLog({ dir });
    const view = createAuditView(dir);
    expect(view.calls()).toEqual([]);
    log.record({
      server: 'files',
      tool: 'write_file',
      args: { content: 'x'.repeat(10_000) },
      phase: 'intent',
      call: 'c1',
      principal: 'writer',
    });
    expect(view.calls()).toMatchObject([
      { tool: 'write_file', incomplete: true, principal: 'writer' },
    ]);
    log.record({
      server: 'files',
      tool: 'write_file',
      args: {},
      phase: 'outcome',
      call: 'c1',
      decision: 'allow',
      outcome: 'ok',
    });
    log.record({
      server: 'files',
      tool: 'read_text_file',
      args: { path: 'é😀' },
      decision: 'deny',
      outcome: 'denied',
    });
    log.close();
    const calls = view.calls();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ decision: 'allow', outcome: 'ok' });
    expect(calls[0]!.incomplete).toBeUndefined();
    expect(String((calls[0]!.args as { content: string }).content).length).toBeLessThan(200);
    expect(calls[1]).toMatchObject({ decision: 'deny', args: { path: 'é😀' } });
  });

  it('keeps a torn last line for later, and starts over when the log is replaced', () => {
    const dir = tempDir();
    const file = path.join(dir, AUDIT_FILE_NAME);
    const line = (tool: string) =>
      JSON.stringify({ time: new Date().toISOString(), server: 'files', tool, args: {} });
    writeFileSync(file, `${line('a')}\n${line('b').slice(0, 20)}`);
    const view = createAuditView(dir);
    expect(view.calls().map((c) => c.tool)).toEqual(['a']);
    appendFileSync(file, `${line('b').slice(20)}\n`);
    expect(view.calls().map((c) => c.tool)).toEqual(['a', 'b']);
    // Replaced by a shorter file (rotation, a restore): read from its start.
    rmSync(file);
    writeFileSync(file, `${line('c')}\n`);
    expect(view.calls().map((c) => c.tool)).toEqual(['c']);
    rmSync(file);
    expect(view.calls()).toEqual([]);
  });
});
