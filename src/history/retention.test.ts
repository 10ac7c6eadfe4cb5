import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LimitsSchema } from '../config/index.js';
import { createPathGuard } from '../policy/paths/index.js';
import { openHistoryStore, type HistoryStore } from './history-store.js';
import { UNREFERENCED_GRACE_MS } from './retention.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let base: string;
let root: string;

beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-retention-')));
  // The root is a real directory beside the store, never around it.
  root = realpathSync(mkdtempSync(path.join(base, 'root-')));
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

function openStore(maxBytes: number, maxAgeDays = 7): HistoryStore {
  return openHistoryStore({ enabled: true, dir: path.join(base, 'history'), maxBytes, maxAgeDays });
}

const guard = () =>
  createPathGuard({
    roots: [{ path: root, mode: 'read-write' }],
    deny: [],
    limits: LimitsSchema.parse({}),
  });

// Overwrite a file through the store as a server would: keep, write, commit.
function overwrite(store: HistoryStore, name: string, old: string): void {
  const file = path.join(root, name);
  writeFileSync(file, old);
  const prepared = store.prepare(guard(), [{ path: file }]);
  writeFileSync(file, 'new');
  store.commit(guard(), prepared, { tool: 'write_file' });
}

function blobCount(): number {
  const dir = path.join(base, 'history', 'blobs');
  return readdirSync(dir).reduce((n, prefix) => n + readdirSync(path.join(dir, prefix)).length, 0);
}

describe('history retention', () => {
  it('drops the oldest changes until the kept content fits in maxBytes, then their blobs after the grace period', () => {
    const store = openStore(2500);
    for (const name of ['a', 'b', 'c']) overwrite(store, name, name.repeat(1000));
    const now = Date.now();
    const report = store.prune(now);
    expect(report.keptBytes).toBeLessThanOrEqual(2500);
    expect(report.keptChanges).toBe(2);
    expect(store.list().map((c) => path.basename(c.entries[0]!.path))).toEqual(['b', 'c']);
    // The dropped change's blob waits out the grace period (a change in flight may need it).
    expect(blobCount()).toBe(3);
    expect(store.prune(now + UNREFERENCED_GRACE_MS + 1).removedBlobs).toBe(1);
    expect(blobCount()).toBe(2);
  });

  it('drops changes older than maxAgeDays and keeps the younger ones', () => {
    const store = openStore(1024 * 1024, 2);
    overwrite(store, 'old', 'old content');
    const now = Date.now();
    expect(store.prune(now + DAY_MS).keptChanges).toBe(1);
    const report = store.prune(now + 3 * DAY_MS);
    expect(report).toMatchObject({ removedChanges: 1, keptChanges: 0, removedBlobs: 1 });
    expect(store.list()).toEqual([]);
    expect(blobCount()).toBe(0);
  });

  it('keeps identical content once', () => {
    const store = openStore(1024 * 1024);
    overwrite(store, 'one', 'same content');
    overwrite(store, 'two', 'same content');
    expect(store.list()).toHaveLength(2);
    expect(blobCount()).toBe(1);
  });

  it('refuses a change whose content would not fit in the whole store, before anything changes', () => {
    const store = openStore(100);
    const file = path.join(root, 'big');
    writeFileSync(file, 'x'.repeat(101));
    expect(() => store.prepare(guard(), [{ path: file }])).toThrow(/history limit of 100 bytes/);
    expect(store.list()).toEqual([]);
  });
});
