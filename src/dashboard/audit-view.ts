import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import {
  AUDIT_FILE_NAME,
  mergeCalls,
  parseRecords,
  type AuditRecord,
  type CallEntry,
} from '../audit/index.js';
import { summarizeArgs } from './summarize-args.js';

// Bounds on what the dashboard holds of the log: the newest records only, read at most this
// far back when it first opens a big log. `bastion audit query` reads everything.
export const MAX_VIEW_RECORDS = 20_000;
const MAX_INITIAL_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

// The recent calls of the audit log, read incrementally: each refresh reads only what was
// appended since the last one (starting over when the file was replaced or cut).
export interface AuditView {
  calls(): CallEntry[];
}

interface Cursor {
  ino: number;
  dev: number;
  offset: number;
  pending: string;
  // A multi-byte character cut by a chunk boundary waits here for its other bytes.
  decoder: StringDecoder;
}

function openLog(file: string): { fd: number; stat: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  return { fd, stat: fstatSync(fd) };
}

export function createAuditView(auditDir: string): AuditView {
  const file = path.join(auditDir, AUDIT_FILE_NAME);
  let cursor: Cursor | undefined;
  let records: AuditRecord[] = [];
  let merged: CallEntry[] | undefined;

  const append = (text: string): void => {
    const fresh = parseRecords(text).map((r) => ({ ...r, args: summarizeArgs(r.args) }));
    if (fresh.length === 0) return;
    records = records.concat(fresh);
    if (records.length > MAX_VIEW_RECORDS) records = records.slice(-MAX_VIEW_RECORDS);
    merged = undefined;
  };

  const refresh = (): void => {
    const opened = openLog(file);
    if (!opened) {
      if (cursor) [cursor, records, merged] = [undefined, [], undefined];
      return;
    }
    const { fd, stat } = opened;
    try {
      const replaced =
        !cursor || cursor.ino !== stat.ino || cursor.dev !== stat.dev || stat.size < cursor.offset;
      if (replaced) {
        records = [];
        merged = undefined;
        const start = Math.max(0, stat.size - MAX_INITIAL_BYTES);
        cursor = {
          ino: stat.ino,
          dev: stat.dev,
          offset: start,
          pending: '',
          decoder: new StringDecoder('utf8'),
        };
        // Started mid-file: the first (partial) line is dropped.
        if (start > 0) cursor.pending = '\u0000';
      }
      const c = cursor!;
      const buffer = Buffer.alloc(CHUNK_BYTES);
      while (c.offset < stat.size) {
        const read = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, stat.size - c.offset), c.offset);
        if (read === 0) break;
        c.offset += read;
        const text = c.pending + c.decoder.write(buffer.subarray(0, read));
        const cut = text.lastIndexOf('\n');
        if (cut < 0) {
          c.pending = text;
          continue;
        }
        c.pending = text.slice(cut + 1);
        const whole = text.slice(0, cut);
        append(whole.startsWith('\u0000') ? whole.slice(whole.indexOf('\n') + 1) : whole);
      }
    } finally {
      closeSync(fd);
    }
  };

  return {
    calls() {
      refresh();
      merged ??= mergeCalls(records);
      return merged;
    },
  };
}
