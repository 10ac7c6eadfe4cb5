import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../errors/index.js';
import { writeFileDurable } from './durable-file.js';
import { ChangeSchema, type Change } from './types.js';

const ENTRY_NAME = /^(\d{13})-([0-9a-f]{12})\.json$/;

// The change journal: one file per change, changes/<ms>-<id>.json, written durably; names sort
// by time, so listing needs no index and a crash never leaves a half-written journal line.
export interface ChangeJournal {
  append(change: Change): void;
  // Every readable change, oldest first (unreadable files are skipped and counted).
  list(): { changes: Change[]; unreadable: number };
  find(id: string): Change | undefined;
  remove(change: Change): void;
}

// A fresh change id: 12 hex digits (48 random bits), short enough to type.
export function newChangeId(): string {
  return randomBytes(6).toString('hex');
}

// The journal under `dir`; `tmpDir` holds the temp files of its durable writes.
export function createChangeJournal(dir: string, tmpDir: string): ChangeJournal {
  const fileOf = (change: Change): string =>
    path.join(dir, `${String(Date.parse(change.time)).padStart(13, '0')}-${change.id}.json`);
  const read = (name: string): Change | undefined => {
    try {
      const parsed = ChangeSchema.safeParse(JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  };
  const names = (): string[] =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((n) => ENTRY_NAME.test(n))
          .sort()
      : [];
  return {
    append(change) {
      writeFileDurable(tmpDir, fileOf(change), `${JSON.stringify(change)}\n`);
    },
    list() {
      const changes: Change[] = [];
      let unreadable = 0;
      for (const name of names()) {
        const change = read(name);
        if (change === undefined) unreadable += 1;
        else changes.push(change);
      }
      return { changes, unreadable };
    },
    find(id) {
      if (!/^[0-9a-f]{12}$/.test(id))
        throw new InvalidInputError(
          `Expected a change id of 12 hex digits, got "${id.slice(0, 40)}".`,
        );
      const name = names().find((n) => n.endsWith(`-${id}.json`));
      return name === undefined ? undefined : read(name);
    },
    remove(change) {
      try {
        unlinkSync(fileOf(change));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}
