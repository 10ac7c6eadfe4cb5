import { createKeySchedule, GENESIS_HASH, hashBodyJson, hashRecord, macOf } from './chain.js';
import type { AuditRecord } from './types.js';

// One thing wrong with the log: where (file, line, stream, seq) and what. No `file` means the
// current audit.jsonl (or no file at all).
export interface AuditProblem {
  file?: string;
  line?: number;
  stream?: string;
  seq?: number;
  what: string;
}

// What one stream's records say: the hash of each seq seen, and per file the seqs it holds.
export interface StreamInfo {
  hashes: Map<number, string>;
  lastSeq: number;
  firstLine: number;
  firstFile?: string;
  macs: boolean;
  files: Map<string, { first: number; last: number }>;
}

// What the record lines say once checked.
export interface LogCheck {
  problems: AuditProblem[];
  notes: string[];
  records: number;
  streams: Map<string, StreamInfo>;
}

// The name checkLogLines gives lines that come from no named file.
export const CURRENT_FILE = 'audit.jsonl';

function isRecord(value: unknown): value is AuditRecord {
  const r = value as Partial<AuditRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.stream === 'string' &&
    typeof r.seq === 'number' &&
    typeof r.prev === 'string' &&
    typeof r.hash === 'string'
  );
}

// Check every record's hash, every stream's chain and, given the key, every MAC. A line that is
// not JSON is a write cut short (a crash, a full disk): noted, not counted as tampering, since
// the chains show whether any record is missing.
export function checkLogLines(lines: readonly string[], masterKey?: string): LogCheck {
  return checkLogFiles([{ file: CURRENT_FILE, lines }], masterKey);
}

// The same over the files of a rotated log, oldest first: each stream's chain runs on from one
// file into the next.
export function checkLogFiles(
  files: readonly { file: string; lines: readonly string[] }[],
  masterKey?: string,
): LogCheck {
  const problems: AuditProblem[] = [];
  const notes: string[] = [];
  const streams: LogCheck['streams'] = new Map();
  const heads = new Map<string, { seq: number; hash: string }>();
  const schedules = new Map<string, (seq: number) => Buffer>();
  let records = 0;
  for (const { file, lines } of files) {
    const at = file === CURRENT_FILE ? {} : { file };
    const where = file === CURRENT_FILE ? '' : `${file} `;
    const lastIndex = lines.length - 1;
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      const line = index + 1;
      let record: unknown = fastParse(text);
      try {
        record ??= JSON.parse(text);
      } catch {
        notes.push(
          index === lastIndex
            ? `${file === CURRENT_FILE ? 'the log' : file} ends at line ${line} with a record cut short (a crash or a full disk while writing); every record before it is checked`
            : `${where}line ${line}: a fragment of a record cut short by a crash or a full disk (not a record)`,
        );
        return;
      }
      if (!isRecord(record)) {
        problems.push({ ...at, line, what: 'not an audit record (no stream, seq, prev or hash)' });
        return;
      }
      records += 1;
      const { stream, seq, hash } = record;
      if (bodyHashOf(text, record) !== hash)
        problems.push({ ...at, line, stream, seq, what: 'hash mismatch (edited record)' });
      const head = heads.get(stream);
      const expectedSeq = head ? head.seq + 1 : 0;
      const expectedPrev = head ? head.hash : GENESIS_HASH;
      if (seq !== expectedSeq || record.prev !== expectedPrev) {
        problems.push({
          ...at,
          line,
          stream,
          seq,
          what: `chain broken in stream ${stream}: expected seq ${expectedSeq}, got ${seq} (missing, reordered or replayed record)`,
        });
      }
      heads.set(stream, { seq, hash });
      let info = streams.get(stream);
      if (!info) {
        info = { hashes: new Map(), lastSeq: seq, firstLine: line, macs: false, files: new Map() };
        if (at.file) info.firstFile = at.file;
        streams.set(stream, info);
      }
      if (!info.hashes.has(seq)) info.hashes.set(seq, hash);
      const range = info.files.get(file);
      if (range) range.last = seq;
      else info.files.set(file, { first: seq, last: seq });
      info.lastSeq = Math.max(info.lastSeq, seq);
      if (record.mac !== undefined) info.macs = true;
      if (masterKey) {
        if (record.mac === undefined) {
          problems.push({
            ...at,
            line,
            stream,
            seq,
            what: 'no MAC although BASTION_AUDIT_KEY is set (written without the key, or rewritten by someone who lacks it)',
          });
        } else {
          let keyAt = schedules.get(stream);
          if (!keyAt) {
            keyAt = createKeySchedule(masterKey, stream);
            schedules.set(stream, keyAt);
          }
          if (macOf(keyAt(seq), hash) !== record.mac)
            problems.push({
              ...at,
              line,
              stream,
              seq,
              what: 'MAC mismatch (edited and re-hashed without the key, or a different key)',
            });
        }
      }
    });
  }
  return { problems, notes, records, streams };
}

// The writer puts hash (and mac) last, so the hashed body is the line's own bytes up to them:
// hashing those skips a re-serialisation (verification runs at the speed of sha256 and
// JSON.parse). Any other shape is re-serialised the slow way.

// The chain fields of a line as the writer lays it out (time, stream, seq, prev first; hash and
// mac last), read without parsing the whole line: the hash covers the bytes in between.
const HEAD = /^\{"time":"[^"\\]*","stream":"([^"\\]+)","seq":(\d+),"prev":"([0-9a-f]{64})",/;
const TAIL_FIELDS = /,"hash":"([0-9a-f]{64})"(?:,"mac":"([0-9a-f]{64})")?\}$/;

// The tail regex runs on the last few bytes only: an end-anchored regex would scan the line.
function tailOf(line: string): { at: number; fields: RegExpExecArray } | null {
  const at = line.lastIndexOf(',"hash":"');
  const fields = at >= 0 ? TAIL_FIELDS.exec(line.slice(at)) : null;
  return fields && fields.index === 0 ? { at, fields } : null;
}

function fastParse(line: string): AuditRecord | undefined {
  const head = HEAD.exec(line);
  const found = head ? tailOf(line) : null;
  if (!head || !found) return undefined;
  const tail = found.fields;
  return {
    stream: head[1]!,
    seq: Number(head[2]),
    prev: head[3]!,
    hash: tail[1]!,
    ...(tail[2] ? { mac: tail[2] } : {}),
  } as AuditRecord;
}

function bodyHashOf(line: string, record: AuditRecord): string {
  const tail = tailOf(line);
  return tail ? hashBodyJson(`${line.slice(0, tail.at)}}`) : hashRecord(record);
}

// The problems of the given lines, one string each (empty = intact): hashes and chains only.
export function verifyAuditLines(lines: readonly string[]): string[] {
  return checkLogLines(lines).problems.map(formatProblem);
}

export function formatProblem(problem: AuditProblem): string {
  const file = problem.file !== undefined ? `${problem.file} ` : '';
  return problem.line !== undefined ? `${file}line ${problem.line}: ${problem.what}` : problem.what;
}
