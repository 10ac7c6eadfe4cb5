import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashBodyJson, initialStreamKey, macOf, nextKey } from './chain.js';
import {
  AUDIT_FILE_NAME,
  CHECKPOINT_FILE_NAME,
  createAuditLog,
  formatProblem,
  verifyAuditDir,
  type AuditRecord,
} from './index.js';

const KEY = 'a-test-audit-key-0123456789';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'bastion-verify-'));
}

// A closed log of `count` records (one stream), optionally keyed.
function writeLog(dir: string, count: number, key?: string): void {
  const log = createAuditLog({ dir, env: {}, ...(key ? { key } : {}) });
  for (let i = 0; i < count; i += 1)
    log.record({ server: 'files', tool: `t${i}`, args: { i }, decision: 'allow', outcome: 'ok' });
  log.close();
}

function lines(dir: string): string[] {
  return readFileSync(path.join(dir, AUDIT_FILE_NAME), 'utf8').trim().split('\n');
}

function rewrite(dir: string, next: string[]): void {
  writeFileSync(path.join(dir, AUDIT_FILE_NAME), next.length ? `${next.join('\n')}\n` : '');
}

function problems(dir: string, key?: string): string {
  return verifyAuditDir({ dir, ...(key ? { key } : {}) })
    .problems.map(formatProblem)
    .join('\n');
}

// Re-hash a chain from record `from` on, as a tamperer without the key would.
function rehash(records: AuditRecord[], from: number): string[] {
  let prev = records[from - 1]?.hash ?? '0'.repeat(64);
  return records.map((record, index) => {
    if (index < from) return JSON.stringify(record);
    const { mac } = record;
    const body: Partial<AuditRecord> = { ...record };
    delete body.hash;
    delete body.mac;
    const next = { ...body, prev };
    const hash = hashBodyJson(JSON.stringify(next));
    prev = hash;
    return JSON.stringify({ ...next, hash, ...(mac ? { mac } : {}) });
  });
}

describe('audit verification against chains and signed checkpoints', () => {
  it('passes an intact log, and says where a crash cut the last record short', () => {
    const dir = tempDir();
    writeLog(dir, 5);
    expect(verifyAuditDir({ dir }).ok).toBe(true);
    // A crash mid-write: a whole stream with a torn last line and no close checkpoint.
    const crashed = tempDir();
    const log = createAuditLog({ dir: crashed, env: {} });
    for (let i = 0; i < 3; i += 1) log.record({ server: 's', tool: 't', args: {} });
    const text = readFileSync(path.join(crashed, AUDIT_FILE_NAME), 'utf8');
    writeFileSync(
      path.join(crashed, AUDIT_FILE_NAME),
      `${text}{"time":"2026-01-01T00:00:00.000Z","str`,
    );
    const report = verifyAuditDir({ dir: crashed });
    expect(report.ok).toBe(true);
    expect(report.notes.join()).toMatch(/the log ends at line 4 with a record cut short/);
    rmSync(dir, { recursive: true });
  });

  it('finds an edited field, a deleted line, two swapped lines and a replayed line', () => {
    const dir = tempDir();
    writeLog(dir, 6);
    const original = lines(dir);
    rewrite(
      dir,
      original.map((l, i) => (i === 2 ? l.replace('"t2"', '"t9"') : l)),
    );
    expect(problems(dir)).toMatch(/line 3: hash mismatch \(edited record\)/);
    rewrite(
      dir,
      original.filter((_, i) => i !== 2),
    );
    expect(problems(dir)).toMatch(/line 3: chain broken/);
    rewrite(dir, [original[0]!, original[2]!, original[1]!, ...original.slice(3)]);
    expect(problems(dir)).toMatch(/line 2: chain broken/);
    rewrite(dir, [...original.slice(0, 3), original[2]!, ...original.slice(3)]);
    expect(problems(dir)).toMatch(/line 4: chain broken/);
  });

  it('finds a tail cut by 1 and by 5 records of a closed stream, and records added after close', () => {
    const dir = tempDir();
    writeLog(dir, 8);
    const original = lines(dir);
    rewrite(dir, original.slice(0, -1));
    expect(problems(dir)).toMatch(
      /record 7 is missing: the signed checkpoint .*\(close\) says .* had 8 records/,
    );
    rewrite(dir, original.slice(0, -5));
    expect(problems(dir)).toMatch(/record 7 is missing/);
    rewrite(dir, original);
    expect(verifyAuditDir({ dir }).ok).toBe(true);
  });

  it('finds a tail cut before the last periodic checkpoint of a stream still running (or crashed)', () => {
    const dir = tempDir();
    const log = createAuditLog({ dir, env: {} });
    for (let i = 0; i < 1_003; i += 1) log.record({ server: 's', tool: 't', args: { i } });
    // No close: the process died. The checkpoint at 1,000 records still binds the log.
    rewrite(dir, lines(dir).slice(0, 990));
    expect(problems(dir)).toMatch(/record 999 is missing: the signed checkpoint .*\(count\)/);
  });

  it("finds a deleted run (every record of one server's stream) among others", () => {
    const dir = tempDir();
    writeLog(dir, 3);
    const first = lines(dir);
    writeLog(dir, 2);
    rewrite(dir, first);
    expect(problems(dir)).toMatch(/record 1 is missing: .* had 2 records/);
  });

  it('finds a log replaced by a freshly made valid chain, emptied, or deleted', () => {
    const dir = tempDir();
    writeLog(dir, 4);
    const forged = tempDir();
    writeLog(forged, 4);
    // The forger's chain is valid on its own; it was never announced by this home's key.
    rewrite(dir, lines(forged));
    const replaced = problems(dir);
    expect(replaced).toMatch(/never announced by a signed checkpoint/);
    expect(replaced).toMatch(/record 3 is missing/);
    truncateSync(path.join(dir, AUDIT_FILE_NAME), 0);
    expect(problems(dir)).toMatch(
      /audit\.jsonl is empty, but signed checkpoints say it held records/,
    );
    rmSync(path.join(dir, AUDIT_FILE_NAME));
    expect(problems(dir)).toMatch(
      /audit\.jsonl is missing, but signed checkpoints say it held records/,
    );
    rmSync(path.join(dir, CHECKPOINT_FILE_NAME));
    expect(problems(dir)).toMatch(/both were deleted/);
  });

  it('finds a dropped or forged checkpoint', () => {
    const dir = tempDir();
    writeLog(dir, 2);
    const file = path.join(dir, CHECKPOINT_FILE_NAME);
    const cps = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, `${cps.slice(1).join('\n')}\n`);
    expect(problems(dir)).toMatch(/expected #0, got #1 \(a checkpoint was deleted/);
    writeFileSync(file, `${cps.map((l) => l.replace('"count":2', '"count":1')).join('\n')}\n`);
    expect(problems(dir)).toMatch(/bad signature/);
  });

  it('with BASTION_AUDIT_KEY: finds an edit re-hashed without the key, and MACs stripped', () => {
    const dir = tempDir();
    writeLog(dir, 5, KEY);
    expect(verifyAuditDir({ dir, key: KEY }).ok).toBe(true);
    expect(verifyAuditDir({ dir, key: 'another-key-entirely' }).ok).toBe(false);
    const records = lines(dir).map((l) => JSON.parse(l) as AuditRecord);
    // The last record edited and re-hashed: its chain and the chain's hashes all hold.
    const edited = records.map((r, i) => (i === 4 ? { ...r, tool: 'innocent' } : r));
    rewrite(dir, rehash(edited, 4));
    expect(problems(dir, KEY)).toMatch(/line 5: MAC mismatch/);
    // Without the key at hand, the signed close checkpoint still binds the head.
    expect(problems(dir)).toMatch(/record 4 is not the one the signed checkpoint/);
    // The MACs stripped and the chain re-hashed: the stream was announced as keyed.
    const stripped = records.map(({ mac: _m, ...r }) => r as AuditRecord);
    rewrite(dir, rehash(stripped, 0));
    expect(problems(dir, KEY)).toMatch(/no MAC although BASTION_AUDIT_KEY is set/);
    expect(problems(dir)).toMatch(/written with BASTION_AUDIT_KEY but its records carry no MAC/);
  });

  it('keys evolve forward: the key held after record 0 cannot re-MAC record 0', () => {
    const dir = tempDir();
    writeLog(dir, 2, KEY);
    const records = lines(dir).map((l) => JSON.parse(l) as AuditRecord);
    // What a thief reading the live process gets: the current key, already moved past record 0.
    const stolen = nextKey(initialStreamKey(KEY, records[0]!.stream));
    const edited = rehash(
      records.map((r, i) => (i === 0 ? { ...r, tool: 'innocent' } : r)),
      0,
    ).map((l) => JSON.parse(l) as AuditRecord);
    const forged = edited.map((r) => ({
      ...r,
      mac: macOf(stolen, r.hash),
    }));
    rewrite(
      dir,
      forged.map((r) => JSON.stringify(r)),
    );
    // Record 1 (made with the key the thief holds) passes; record 0 cannot be forged.
    expect(problems(dir, KEY)).toMatch(/line 1: MAC mismatch/);
    expect(problems(dir, KEY)).not.toMatch(/line 2: MAC mismatch/);
  });

  it('finds every change to one byte of a record, whatever the byte and wherever it is', () => {
    // The records are checked from their bytes; a change that makes a line leave the writer's
    // layout goes to the slow path, which must catch it too. Every position of the middle
    // record, each flipped to another ASCII byte, a quote, a backslash and a non-UTF-8 byte.
    const dir = tempDir();
    const log = createAuditLog({ dir, env: {}, key: KEY });
    for (let i = 0; i < 3; i += 1)
      log.record({
        server: 'files',
        tool: 'write_file',
        args: { path: `/r/é${i}` },
        decision: 'allow',
        outcome: 'ok',
      });
    log.close();
    const file = path.join(dir, AUDIT_FILE_NAME);
    const original = readFileSync(file);
    const from = original.indexOf(0x0a) + 1;
    const to = original.indexOf(0x0a, from);
    let tried = 0;
    const expectCaught = (changed: Buffer, what: string): void => {
      writeFileSync(file, changed);
      expect(verifyAuditDir({ dir, key: KEY }).ok, what).toBe(false);
      tried += 1;
    };
    for (let at = from; at < to; at += 1) {
      for (const next of [original[at]! ^ 0x01, 0x22, 0x5c, 0xff]) {
        if (next === original[at]) continue;
        const changed = Buffer.from(original);
        changed[at] = next;
        expectCaught(changed, `byte ${at - from} set to ${next}`);
      }
      // A byte added (white space too: the parse would be the same) or taken away.
      for (const added of [0x20, 0x09, 0x0d, 0x30, 0x22]) {
        const changed = Buffer.concat([
          original.subarray(0, at),
          Buffer.from([added]),
          original.subarray(at),
        ]);
        expectCaught(changed, `byte ${added} added at ${at - from}`);
      }
      expectCaught(
        Buffer.concat([original.subarray(0, at), original.subarray(at + 1)]),
        `byte ${at - from} removed`,
      );
    }
    expect(tried).toBeGreaterThan(9 * 200);
    // A duplicate key ahead of the real one: a first-key-wins reader sees the forged value.
    const lines = original.toString('utf8').split('\n');
    lines[1] = lines[1]!.replace('"args":{', '"args":{"path":"/forged"},"args":{');
    expectCaught(Buffer.from(lines.join('\n')), 'a duplicate key');
    // The hash and MAC moved to the front: the parse is the same record, the line is not.
    const moved = original.toString('utf8').split('\n');
    const { hash, mac, ...rest } = JSON.parse(moved[1]!) as AuditRecord;
    moved[1] = JSON.stringify({ hash, mac, ...rest });
    expectCaught(Buffer.from(moved.join('\n')), 'the hash moved');
    // A U+FFFD the writer wrote, replaced by an invalid byte that decodes to U+FFFD again.
    const log2dir = tempDir();
    const log2 = createAuditLog({ dir: log2dir, env: {} });
    for (let i = 0; i < 2; i += 1)
      log2.record({
        server: 'files',
        tool: 'write_file',
        args: { path: `/r/\ufffd${i}` },
        decision: 'allow',
        outcome: 'ok',
      });
    log2.close();
    const file2 = path.join(log2dir, AUDIT_FILE_NAME);
    const text = readFileSync(file2);
    const mark = text.indexOf(Buffer.from('\ufffd0'));
    const swapped = Buffer.concat([
      text.subarray(0, mark),
      Buffer.from([0xff]),
      text.subarray(mark + 3),
    ]);
    expect(swapped.toString('utf8')).toBe(text.toString('utf8'));
    writeFileSync(file2, swapped);
    expect(verifyAuditDir({ dir: log2dir }).ok).toBe(false);
    // The same with the line out of the writer's layout (time after stream; the hash still
    // last), so that it is checked by its parse.
    const firstLine = text.subarray(0, text.indexOf(0x0a)).toString('utf8');
    const { time, stream, ...body0 } = JSON.parse(firstLine) as AuditRecord;
    const reordered = Buffer.from(JSON.stringify({ stream, time, ...body0 }));
    const at = reordered.indexOf(Buffer.from('\ufffd0'));
    const forged = Buffer.concat([
      reordered.subarray(0, at),
      Buffer.from([0xff]),
      reordered.subarray(at + 3),
    ]);
    writeFileSync(file2, Buffer.concat([forged, text.subarray(text.indexOf(0x0a))]));
    expect(verifyAuditDir({ dir: log2dir }).ok).toBe(false);
  });
});
