import { createKeySchedule, GENESIS_HASH, hashRecord, macOf } from './chain.js';
import { readLineFields, type LineFields } from './record-line-fields.js';
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
  return checkLogFiles([{ file: CURRENT_FILE, data: Buffer.from(lines.join('\n')) }], masterKey);
}

// The same over the files of a rotated log, oldest first: each stream's chain runs on from one
// file into the next. A line laid out as the writer writes it is checked from its bytes
// (record-line-fields.ts); any other is decoded, parsed and re-serialised to be hashed.
export function checkLogFiles(
  files: readonly { file: string; data: Buffer }[],
  masterKey?: string,
): LogCheck {
  const problems: AuditProblem[] = [];
  const notes: string[] = [];
  const streams: LogCheck['streams'] = new Map();
  const heads = new Map<string, { seq: number; hash: string }>();
  const schedules = new Map<string, (seq: number) => Buffer>();
  let records = 0;
  for (const { file, data } of files) {
    const at = file === CURRENT_FILE ? {} : { file };
    const where = file === CURRENT_FILE ? '' : `${file} `;
    let previousStream: { start: number; end: number; value: string } | undefined;
    const check = (fields: ChainFields, line: number): void => {
      records += 1;
      const { stream, seq, hash } = fields;
      if (fields.bodyHash !== hash)
        problems.push({ ...at, line, stream, seq, what: 'hash mismatch (edited record)' });
      const head = heads.get(stream);
      const expectedSeq = head ? head.seq + 1 : 0;
      const expectedPrev = head ? head.hash : GENESIS_HASH;
      if (seq !== expectedSeq || fields.prev !== expectedPrev) {
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
      if (fields.mac !== undefined) info.macs = true;
      if (masterKey) {
        if (fields.mac === undefined) {
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
          if (macOf(keyAt(seq), hash) !== fields.mac)
            problems.push({
              ...at,
              line,
              stream,
              seq,
              what: 'MAC mismatch (edited and re-hashed without the key, or a different key)',
            });
        }
      }
    };
    let start = 0;
    for (let line = 1; start <= data.length; line += 1) {
      const newline = data.indexOf(0x0a, start);
      const end = newline < 0 ? data.length : newline;
      const isLast = newline < 0;
      const fields = readLineFields(data, start, end, previousStream);
      if (fields) {
        previousStream = {
          start: fields.streamStart,
          end: fields.streamEnd,
          value: fields.stream,
        };
        check(fields, line);
      } else {
        const text = data.toString('utf8', start, end);
        if (text.trim() !== '') {
          const parsed = parseSlowly(text, data.subarray(start, end));
          if (parsed === 'torn') {
            notes.push(
              isLast
                ? `${file === CURRENT_FILE ? 'the log' : file} ends at line ${line} with a record cut short (a crash or a full disk while writing); every record before it is checked`
                : `${where}line ${line}: a fragment of a record cut short by a crash or a full disk (not a record)`,
            );
          } else if (parsed === 'foreign') {
            problems.push({
              ...at,
              line,
              what: 'not an audit record (no stream, seq, prev or hash)',
            });
          } else {
            check(parsed, line);
          }
        }
      }
      if (isLast) break;
      start = newline + 1;
    }
  }
  return { problems, notes, records, streams };
}

type ChainFields = Pick<LineFields, 'stream' | 'seq' | 'prev' | 'hash' | 'mac' | 'bodyHash'>;

// A line in another layout than the writer's: parsed, and hashed re-serialised.
// Security: the writer's lines are JSON.stringify output with hash (and mac) last, which
// serialising the parsed line again gives back byte for byte. A line that does not (white
// space, a duplicate key, a number or an escape spelt another way, bytes that decode to the same
// text, the hash moved) is not what the writer wrote, even when its parse hashes to the recorded
// hash: readers other than this one (grep, first-key-wins or lenient parsers) would see other
// text than the hash vouches for. Its hash is counted as not matching.
function parseSlowly(text: string, bytes: Buffer): ChainFields | 'torn' | 'foreign' {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return 'torn';
  }
  if (!isRecord(record)) return 'foreign';
  const keys = Object.keys(record);
  const tail = record.mac === undefined ? ['hash'] : ['hash', 'mac'];
  const hashLast = tail.every((key, i) => keys[keys.length - tail.length + i] === key);
  const asWritten = hashLast && Buffer.from(JSON.stringify(record)).equals(bytes);
  return {
    stream: record.stream,
    seq: record.seq,
    prev: record.prev,
    hash: record.hash,
    ...(record.mac !== undefined ? { mac: record.mac } : {}),
    bodyHash: asWritten ? hashRecord(record) : NOT_AS_WRITTEN,
  };
}

// Never a sha256 in hex: the body hash of a line not in the writer's form.
const NOT_AS_WRITTEN = 'not as written';

// The problems of the given lines, one string each (empty = intact): hashes and chains only.
export function verifyAuditLines(lines: readonly string[]): string[] {
  return checkLogLines(lines).problems.map(formatProblem);
}

export function formatProblem(problem: AuditProblem): string {
  const file = problem.file !== undefined ? `${problem.file} ` : '';
  return problem.line !== undefined ? `${file}line ${problem.line}: ${problem.what}` : problem.what;
}
