import { readFileSync } from 'node:fs';
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
