import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AUDIT_FILE_NAME,
  CHECKPOINT_FILE_NAME,
  createAuditLog,
  formatProblem,
  listRotatedFiles,
  readAuditRecords,
  ROTATION_LOCK_FILE,
  verifyAuditDir,
  type AuditRecord,
  type Checkpoint,
} from './index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bastion-rotation-'));
  dirs.push(dir);
  return dir;
}

function problems(dir: string): string {
  return verifyAuditDir({ dir }).problems.map(formatProblem).join('\n');
}

function recordsOf(dir: string, file: string): AuditRecord[] {
  return readFileSync(path.join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

function checkpointsOf(dir: string): Checkpoint[] {
  return readFileSync(path.join(dir, CHECKPOINT_FILE_NAME), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Checkpoint);
}

// Two writers (as two servers would) taking turns, with rotation at 4 KiB: about 20 files.
function rotatedLog(): string {
  const dir = tempDir();
  const a = createAuditLog({ dir, env: {}, rotateBytes: 4096 });
  const b = createAuditLog({ dir, env: {}, rotateBytes: 4096 });
  for (let i = 0; i < 150; i += 1) {
    a.record({ server: 'files', tool: 'write_file', args: { i, pad: 'x'.repeat(100) } });
    b.record({ server: 'shell', tool: 'run_command', args: { i, pad: 'y'.repeat(100) } });
  }
  a.close();
  b.close();
  return dir;
}

describe('rotation of audit.jsonl', () => {
  it('by size: files of at most the size, numbered from 1, chains and checkpoints running on', () => {
    const dir = rotatedLog();
    const rotated = listRotatedFiles(dir);
    expect(rotated.length).toBeGreaterThan(10);
    rotated.forEach((name, i) => {
      expect(name).toMatch(
        new RegExp(
          `^audit-\\d{4}-\\d{2}-\\d{2}T\\d{4}Z-${String(i + 1).padStart(4, '0')}\\.jsonl$`,
        ),
      );
      expect(readFileSync(path.join(dir, name)).length).toBeLessThanOrEqual(4096);
    });
    expect(readdirSync(dir)).toContain(AUDIT_FILE_NAME);
    // Every record is kept once, in order per stream, and each stream's chain crosses files.
    const all = readAuditRecords(dir);
    expect(all).toHaveLength(300);
    for (const server of ['files', 'shell']) {
      const mine = all.filter((r) => r.server === server);
      expect(mine.map((r) => r.seq)).toEqual(mine.map((_, i) => i));
      mine.slice(1).forEach((r, i) => expect(r.prev).toBe(mine[i]!.hash));
    }
    // Each stream says, signed, where its records in every rotated file end.
    const rotations = checkpointsOf(dir).filter((c) => c.reason === 'rotate');
    for (const name of rotated) {
      const inFile = recordsOf(dir, name);
      for (const stream of new Set(inFile.map((r) => r.stream))) {
        const last = inFile.filter((r) => r.stream === stream).at(-1)!;
        expect(rotations).toContainEqual(
          expect.objectContaining({ stream, file: name, count: last.seq + 1, head: last.hash }),
        );
      }
    }
    expect(verifyAuditDir({ dir })).toMatchObject({ ok: true, records: 300, streams: 2 });
  });

  it('by day, on the clock the log is given: the file of a past day is rotated at its first record', () => {
    const dir = tempDir();
    let now = Date.parse('2026-12-03T23:58:30.000Z');
    const log = createAuditLog({ dir, env: {}, now: () => now });
    for (let i = 0; i < 3; i += 1) log.record({ server: 'files', tool: 'before', args: { i } });
    now = Date.parse('2026-12-04T00:00:01.000Z');
    for (let i = 0; i < 2; i += 1) log.record({ server: 'files', tool: 'after', args: { i } });
    log.close();
    expect(listRotatedFiles(dir)).toEqual(['audit-2026-12-03T2358Z-0001.jsonl']);
    expect(recordsOf(dir, 'audit-2026-12-03T2358Z-0001.jsonl').map((r) => r.tool)).toEqual([
      'before',
      'before',
      'before',
    ]);
    expect(recordsOf(dir, AUDIT_FILE_NAME).map((r) => r.tool)).toEqual(['after', 'after']);
    expect(verifyAuditDir({ dir }).ok).toBe(true);
    // Two days on, with rotateDays 2, the same day boundary does not rotate again before its time.
    const slow = tempDir();
    now = Date.parse('2026-12-03T10:00:00.000Z');
    const two = createAuditLog({ dir: slow, env: {}, now: () => now, rotateDays: 2 });
    two.record({ server: 'files', tool: 'day1', args: {} });
    now = Date.parse('2026-12-04T23:00:00.000Z');
    two.record({ server: 'files', tool: 'day2', args: {} });
    now = Date.parse('2026-12-05T00:00:00.000Z');
    two.record({ server: 'files', tool: 'day3', args: {} });
    two.close();
    expect(listRotatedFiles(slow)).toEqual(['audit-2026-12-03T1000Z-0001.jsonl']);
    expect(verifyAuditDir({ dir: slow }).ok).toBe(true);
  });

  it('a writer that did not rotate follows at its next record, and an idle one at close', () => {
    const dir = tempDir();
    const busy = createAuditLog({ dir, env: {}, rotateBytes: 4096 });
    const idle = createAuditLog({ dir, env: {}, rotateBytes: 4096 });
    idle.record({ server: 'shell', tool: 'one', args: {} });
    for (let i = 0; i < 40; i += 1)
      busy.record({ server: 'files', tool: 'many', args: { pad: 'z'.repeat(200) } });
    idle.close();
    busy.close();
    const first = listRotatedFiles(dir)[0]!;
    expect(checkpointsOf(dir)).toContainEqual(
      expect.objectContaining({ reason: 'rotate', file: first, from: 0, count: 1 }),
    );
    expect(verifyAuditDir({ dir }).ok).toBe(true);
  });
});

describe('the rotation lock', () => {
  it("a live holder makes writers go on in the current file; a dead holder's lock is broken", () => {
    const dir = tempDir();
    const log = createAuditLog({ dir, env: {}, rotateBytes: 4096 });
    const lock = path.join(dir, ROTATION_LOCK_FILE);
    // Held by a live process (this one): nobody rotates, and no record is refused.
    writeFileSync(lock, String(process.pid));
    for (let i = 0; i < 30; i += 1)
      log.record({ server: 'files', tool: 'held', args: { pad: 'h'.repeat(200) } });
    expect(listRotatedFiles(dir)).toEqual([]);
    expect(readFileSync(path.join(dir, AUDIT_FILE_NAME)).length).toBeGreaterThan(4096);
    // Held by a process that is gone: the next record breaks the lock and rotates.
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeFileSync(lock, String(dead));
    log.record({ server: 'files', tool: 'after', args: {} });
    log.close();
    expect(listRotatedFiles(dir)).toHaveLength(1);
    expect(existsSync(lock)).toBe(false);
    expect(verifyAuditDir({ dir }).ok).toBe(true);
  });
});

describe('verification of a rotated log', () => {
  it('finds a dropped rotated file: the first, one in the middle, the last', () => {
    for (const pick of [0, 5, -1]) {
      const dir = rotatedLog();
      const name = listRotatedFiles(dir).at(pick)!;
      rmSync(path.join(dir, name));
      const found = problems(dir);
      expect(found).toMatch(
        new RegExp(`rotated file ${name.replace(/\./g, '\\.')} is missing: the signed checkpoint`),
      );
      expect(found).toMatch(/chain broken/);
    }
  });

  it('finds a rotated file edited, truncated, emptied, cut at its start, or two swapped', () => {
    const dir = rotatedLog();
    const [one, two, three] = listRotatedFiles(dir) as [string, string, string];
    const file = path.join(dir, two);
    const original = readFileSync(file, 'utf8');
    const lines = original.trim().split('\n');
    writeFileSync(file, original.replace('"i":', '"i":1'));
    expect(problems(dir)).toMatch(
      new RegExp(`${two} line \\d+: hash mismatch \\(edited record\\)`),
    );
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    expect(problems(dir)).toMatch(/\(a tail cut from a rotated file\)/);
    truncateSync(file, 0);
    expect(problems(dir)).toMatch(
      /holds no record of stream .* \(emptied, truncated or replaced\)/,
    );
    writeFileSync(file, `${lines.slice(2).join('\n')}\n`);
    expect(problems(dir)).toMatch(/\(records cut from its start\)/);
    // Two records of one stream swapped (the writers take turns: lines 1 and 3 are one's).
    writeFileSync(file, `${[lines[2], lines[1], lines[0], ...lines.slice(3)].join('\n')}\n`);
    expect(problems(dir)).toMatch(new RegExp(`${two} line 1: chain broken`));
    writeFileSync(file, original);
    expect(verifyAuditDir({ dir }).ok).toBe(true);
    // The contents of two files swapped (each keeps the other's name).
    const first = path.join(dir, one);
    const third = path.join(dir, three);
    renameSync(first, `${first}.tmp`);
    renameSync(third, first);
    renameSync(`${first}.tmp`, third);
    expect(problems(dir)).toMatch(/chain broken/);
    expect(problems(dir)).toMatch(/a tail cut from a rotated file|records added to a rotated file/);
  });

  it('finds a rotated file renamed out of its place, and a forged one slipped in', () => {
    const dir = rotatedLog();
    const rotated = listRotatedFiles(dir);
    const name = rotated[3]!;
    renameSync(path.join(dir, name), path.join(dir, `${name}.bak`));
    expect(problems(dir)).toMatch(/rotated file number 4 is missing/);
    renameSync(path.join(dir, `${name}.bak`), path.join(dir, name));
    const forged = tempDir();
    const log = createAuditLog({ dir: forged, env: {} });
    log.record({ server: 'files', tool: 'forged', args: {} });
    log.close();
    const next = `audit-2026-01-01T0000Z-${String(rotated.length + 1).padStart(4, '0')}.jsonl`;
    writeFileSync(path.join(dir, next), readFileSync(path.join(forged, AUDIT_FILE_NAME)));
    expect(problems(dir)).toMatch(/never announced by a signed checkpoint/);
  });
});
