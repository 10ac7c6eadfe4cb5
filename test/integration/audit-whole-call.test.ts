import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditEvent, type AuditSink } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config/index.js';
import { AuditUnavailableError } from '../../src/errors/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { createFilesService } from '../../src/servers/files/index.js';
import { serveInMemory } from '../helpers/in-memory-serve.js';
import { makeTempDir, textOf } from './files-harness.js';

// A call that changes nothing is one 'complete' record written after it ran and before its
// answer leaves. Here a real audit log sits behind a sink that fails on command, so each way of
// failing that one record can be tried: the answer (a canary's content) must never leave.
type Failure = 'none' | 'unavailable' | 'bug' | 'scan';
const CANARY = 'canary-Wc41-content';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function start() {
  const home = makeTempDir('bastion-whole-home-');
  const root = makeTempDir('bastion-whole-root-');
  writeFileSync(path.join(root, 'secret.txt'), CANARY);
  const config = loadConfig({ home, rootFlags: [root], env: {} });
  const log = createAuditLog({ dir: path.join(home, 'logs'), env: {} });
  const state = { failure: 'none' as Failure, refusing: false, attempts: [] as AuditEvent[] };
  const sink: AuditSink = {
    record(event) {
      state.attempts.push(event);
      if (state.failure === 'unavailable') throw new AuditUnavailableError('test: disk full');
      if (state.failure === 'bug') throw new TypeError('sink-bug-7f3 at /internal/path');
      return log.record(event);
    },
    async scrub(value) {
      if (state.failure === 'scan') throw new Error('scan-bug-9d2 at /internal/path');
      return log.scrub(value);
    },
    refusing: () => state.refusing,
    close: () => log.close(),
  };
  const files = createFilesService(config, { audit: sink, logger: createLogger('t', 'silent') });
  const { client, close } = await serveInMemory({
    factory: (era) => files.createServer({ followClientRoots: false, era }),
    clientName: 'whole-call-test',
  });
  closers.push(async () => {
    await close();
    log.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });
  const call = async (name: string, args: Record<string, unknown>) =>
    await client.callTool({ name, arguments: args });
  return { root, state, call };
}

describe('a call recorded whole', () => {
  it('gives no answer when its record cannot be written, from every read-only tool', async () => {
    const { root, state, call } = await start();
    const secret = path.join(root, 'secret.txt');
    const ok = await call('read_text_file', { path: secret });
    expect(textOf(ok)).toContain(CANARY);
    expect(state.attempts.map((e) => e.phase)).toEqual(['complete']);

    state.failure = 'unavailable';
    const calls: [string, Record<string, unknown>][] = [
      ['read_text_file', { path: secret }],
      ['read_multiple_files', { paths: [secret] }],
      ['read_media_file', { path: secret }],
      ['search_file_contents', { path: root, pattern: 'canary' }],
      ['search_files', { path: root, pattern: 'secret' }],
      ['list_directory', { path: root }],
      ['directory_tree', { path: root }],
      ['get_file_info', { path: secret }],
      ['read_text_file', { path: '/etc/passwd' }],
      ['list_allowed_directories', {}],
    ];
    for (const [name, args] of calls) {
      const result = await call(name, args);
      expect(result.isError, name).toBe(true);
      expect(textOf(result), name).toMatch(/^The audit log cannot be written \(test: disk full\)/);
      expect(JSON.stringify(result), name).not.toContain('canary');
      expect(JSON.stringify(result), name).not.toContain('secret.txt');
      expect(result.structuredContent, name).toBeUndefined();
    }
  });

  it('withholds the answer, without the error text, when the record cannot be made', async () => {
    const { root, state, call } = await start();
    for (const failure of ['bug', 'scan'] as const) {
      state.failure = failure;
      state.attempts.length = 0;
      const result = await call('read_text_file', { path: path.join(root, 'secret.txt') });
      expect(result.isError, failure).toBe(true);
      expect(textOf(result), failure).toMatch(/cannot be written \(its record could not be made\)/);
      expect(JSON.stringify(result), failure).not.toMatch(/canary|bug-|internal\/path/);
      // Tried once: the handler's error path does not try the record a second time.
      expect(state.attempts.length, failure).toBe(failure === 'bug' ? 1 : 0);
    }
  });

  it('writes an intent first while the log is refusing, so nothing runs before a record', async () => {
    const { root, state, call } = await start();
    state.refusing = true;
    state.failure = 'unavailable';
    const refused = await call('read_text_file', { path: path.join(root, 'secret.txt') });
    expect(refused.isError).toBe(true);
    expect(state.attempts.map((e) => e.phase)).toEqual(['intent']);
    // The next attempt is what finds the log taking records again.
    state.failure = 'none';
    state.attempts.length = 0;
    expect(textOf(await call('read_text_file', { path: path.join(root, 'secret.txt') }))).toBe(
      CANARY,
    );
    expect(state.attempts.map((e) => e.phase)).toEqual(['intent', 'outcome']);
  });
});
