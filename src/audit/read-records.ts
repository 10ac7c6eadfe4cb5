import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listLogFiles } from './rotation.js';
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

// The records of a log folder in the order they were written: the rotated files, oldest first,
// then audit.jsonl. A file renamed by a rotation while they are read is read again under its new
// name (the list is taken again until it holds still, a few times at most).
export function readAuditRecords(dir: string): AuditRecord[] {
  let records: AuditRecord[] = [];
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const files = listLogFiles(dir);
    records = [];
    for (const file of files) {
      try {
        records.push(...parseRecords(readFileSync(path.join(dir, file), 'utf8')));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const again = listLogFiles(dir);
    if (again.length === files.length && again.every((f, i) => f === files[i])) break;
  }
  return records;
}
