import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_FILE_NAME, listLogFiles } from './rotation.js';
import type { AuditRecord } from './types.js';

// The records of a log text, skipping what is not a record (a torn line, a blank one).
export function parseRecords(text: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as AuditRecord;
      if (typeof parsed === 'object' && parsed !== null && typeof parsed.tool === 'string')
        records.push(parsed);
    } catch {
      // A write cut short by a crash: `audit verify` reports it.
    }
  }
  return records;
}

export function readRecords(file: string): AuditRecord[] {
  return parseRecords(readFileSync(file, 'utf8'));
}

// One file of the log as read: its name and bytes.
export interface LogFileData {
  file: string;
  data: Buffer;
}

// Names and sizes of the rotated files and the inode of audit.jsonl: what must not change while
// the log is read for the read to be one consistent snapshot. audit.jsonl itself may grow.
function logSignature(dir: string): string {
  return listLogFiles(dir)
    .map((file) => {
      const stat = statSync(path.join(dir, file), { throwIfNoEntry: false });
      return file === AUDIT_FILE_NAME ? `${file}@${stat?.ino}` : `${file}:${stat?.size}`;
    })
    .join('|');
}

// The files of a log folder in the order their records were written (the rotated files, oldest
// first, then audit.jsonl), read as one snapshot: when a rotation renamed a file, or a writer
// that had not yet left a rotated file added to it, while they were read, they are read again
// (a few times at most; `stable` says whether a read held still).
export function readLogSnapshot(dir: string): { files: LogFileData[]; stable: boolean } {
  let files: LogFileData[] = [];
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const before = logSignature(dir);
    files = [];
    for (const file of listLogFiles(dir)) {
      try {
        files.push({ file, data: readFileSync(path.join(dir, file)) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (logSignature(dir) === before) return { files, stable: true };
  }
  return { files, stable: false };
}

// The records of a log folder in the order they were written, across rotated files.
export function readAuditRecords(dir: string): AuditRecord[] {
  return readLogSnapshot(dir).files.flatMap((f) => parseRecords(f.data.toString('utf8')));
}
