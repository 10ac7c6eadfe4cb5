import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { readLogSnapshot } from './read-records.js';
import { AUDIT_FILE_NAME, rotatedNumberOf } from './rotation.js';
import {
  checkpointDigest,
  CHECKPOINT_FILE_NAME,
  isSignatureValid,
  type Checkpoint,
} from './checkpoint.js';
import { GENESIS_HASH } from './chain.js';
import { loadPublicKey, SIGNING_KEY_FILE } from './signing-key.js';
import {
  checkLogFiles,
  CURRENT_FILE,
  formatProblem,
  type AuditProblem,
  type LogCheck,
  type StreamInfo,
} from './verify-log.js';

export interface VerifyOptions {
  dir: string;
  key?: string;
  publicKeyFile?: string;
}

export interface VerifyReport {
  ok: boolean;
  // How many files the log has (rotated ones and audit.jsonl).
  files: number;
  problems: AuditProblem[];
  notes: string[];
  records: number;
  streams: number;
  checkpoints: number;
  bytes: number;
  exists: boolean;
}

function readLines(file: string): string[] | null {
  return readText(file)?.text.split('\n') ?? null;
}

function readText(file: string): { text: string; bytes: number } | null {
  try {
    const data = readFileSync(file);
    return { text: data.toString('utf8'), bytes: data.length };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

interface LogFiles {
  files: { file: string; data: Buffer }[];
  rotated: string[];
  current: Buffer | null;
  bytes: number;
  stable: boolean;
}

function readLogFiles(dir: string): LogFiles {
  const { files, stable } = readLogSnapshot(dir);
  return {
    files,
    rotated: files.filter((f) => f.file !== CURRENT_FILE).map((f) => f.file),
    current: files.find((f) => f.file === CURRENT_FILE)?.data ?? null,
    bytes: files.reduce((sum, f) => sum + f.data.length, 0),
    stable,
  };
}

// Whether a file holds only white space (an emptied log), without decoding a large one.
function isBlank(data: Buffer): boolean {
  const first = data.findIndex((c) => c !== 0x20 && (c < 0x09 || c > 0x0d));
  if (first < 0) return true;
  return data[first]! < 0x80 ? false : data.toString('utf8', first).trim() === '';
}

// Check the log against its chains, its MACs (given the key) and its signed checkpoints: a
// record edited, dropped, reordered or replayed, a cut tail, a deleted run, a replaced, emptied
// or deleted log, a rotated file dropped, cut or edited are all problems; a crash's torn last
// line is a note saying where the log ends.
export function verifyAuditDir(options: VerifyOptions): VerifyReport {
  // Checkpoints first: each names records written before it, so the log files read after them
  // hold every record they name even while servers go on writing (and rotating).
  const checkpointLines = readLines(path.join(options.dir, CHECKPOINT_FILE_NAME)) ?? [];
  const { files, rotated, current, bytes, stable } = readLogFiles(options.dir);
  const log = checkLogFiles(files, options.key);
  const problems = [...log.problems];
  const notes = [...log.notes];
  if (!stable)
    notes.push(
      'the log was rotated again and again while it was read: a problem at the edge between two files may be that, not tampering; verify again',
    );
  const publicKey = loadPublicKey(options.dir, options.publicKeyFile);
  const checkpoints = parseCheckpoints(checkpointLines, notes, problems);
  if (checkpoints.length > 0 && !publicKey)
    problems.push({
      what: 'checkpoints exist but no public key to check them (audit-signing-key.pub.pem was removed)',
    });
  checkNumbering(rotated, problems);
  const missing = checkAgainstCheckpoints(log, checkpoints, new Set(rotated), publicKey, problems);
  const currentEmpty = current !== null && isBlank(current);
  if (current === null && missing)
    problems.push({
      what: `${AUDIT_FILE_NAME} is missing, but signed checkpoints say it held records: the log was deleted`,
    });
  else if (currentEmpty && missing)
    problems.push({
      what: `${AUDIT_FILE_NAME} is empty, but signed checkpoints say it held records: the log was truncated`,
    });
  if (
    current === null &&
    rotated.length === 0 &&
    checkpoints.length === 0 &&
    existsSync(path.join(options.dir, SIGNING_KEY_FILE))
  )
    problems.push({
      what: `${AUDIT_FILE_NAME} and its checkpoints are missing, but the signing key shows the log was in use: both were deleted`,
    });
  const order = new Map(files.map((f, i) => [f.file, i]));
  const rank = (p: AuditProblem): number => order.get(p.file ?? CURRENT_FILE) ?? files.length;
  problems.sort((a, b) => rank(a) - rank(b) || (a.line ?? Infinity) - (b.line ?? Infinity));
  return {
    ok: problems.length === 0,
    problems,
    notes,
    records: log.records,
    streams: log.streams.size,
    checkpoints: checkpoints.length,
    bytes,
    exists: current !== null || rotated.length > 0,
    files: files.length,
  };
}

// Rotated files are numbered from 1 without gaps: a missing number is a dropped file even when
// no checkpoint names it (every stream in it crashed before saying it left).
function checkNumbering(rotated: readonly string[], problems: AuditProblem[]): void {
  rotated.forEach((name, index) => {
    const n = rotatedNumberOf(name);
    const expected = index === 0 ? 1 : rotatedNumberOf(rotated[index - 1]!) + 1;
    if (n !== expected)
      problems.push({
        what: `rotated file number ${expected} is missing (the next one is ${name}): a rotated file was dropped or renamed`,
      });
  });
}

interface LocatedCheckpoint extends Checkpoint {
  line: number;
}

function parseCheckpoints(
  lines: string[],
  notes: string[],
  problems: AuditProblem[],
): LocatedCheckpoint[] {
  const out: LocatedCheckpoint[] = [];
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    try {
      const parsed = JSON.parse(text) as Checkpoint;
      if (typeof parsed.stream !== 'string' || typeof parsed.sig !== 'string')
        throw new Error('shape');
      out.push({ ...parsed, line: index + 1 });
    } catch {
      if (index === lines.length - 1)
        notes.push(`the checkpoint file ends with a checkpoint cut short (line ${index + 1})`);
      else problems.push({ what: `checkpoint line ${index + 1}: not a checkpoint` });
    }
  });
  return out;
}

// Returns whether a record some checkpoint names is missing where audit.jsonl should hold it
// (after the last rotated file its stream left).
function checkAgainstCheckpoints(
  log: LogCheck,
  checkpoints: LocatedCheckpoint[],
  rotated: ReadonlySet<string>,
  publicKey: KeyObject | null,
  problems: AuditProblem[],
): boolean {
  let missing = false;
  const byStream = new Map<string, LocatedCheckpoint[]>();
  for (const checkpoint of checkpoints) {
    const { line, ...signed } = checkpoint;
    if (publicKey && !isSignatureValid(signed, publicKey)) {
      problems.push({
        stream: checkpoint.stream,
        what: `checkpoint line ${line}: bad signature (forged or edited checkpoint)`,
      });
      continue;
    }
    const list = byStream.get(checkpoint.stream) ?? [];
    list.push(checkpoint);
    byStream.set(checkpoint.stream, list);
  }
  for (const [stream, list] of byStream) {
    let prev = GENESIS_HASH;
    const sealed = Math.max(0, ...list.filter((c) => c.reason === 'rotate').map((c) => c.count));
    list.forEach((checkpoint, index) => {
      const signed: Partial<LocatedCheckpoint> = { ...checkpoint };
      delete signed.line;
      if (checkpoint.n !== index || checkpoint.prev !== prev)
        problems.push({
          stream,
          what: `checkpoints of stream ${stream}: expected #${index}, got #${checkpoint.n} (a checkpoint was deleted or reordered)`,
        });
      prev = checkpointDigest(signed as Checkpoint);
      const info = log.streams.get(stream);
      const said = `the signed checkpoint of ${checkpoint.time} (${checkpoint.reason}) says stream ${stream} had ${checkpoint.count} records`;
      if (checkpoint.reason === 'rotate' && checkpoint.file !== undefined) {
        checkRotatedFile(checkpoint, info, rotated, problems);
      } else if (checkpoint.count > 0) {
        const seq = checkpoint.count - 1;
        const hash = info?.hashes.get(seq);
        if (hash === undefined) {
          if (seq >= sealed) missing = true;
          problems.push({
            stream,
            seq,
            what: `record ${seq} is missing: ${said} (a cut tail, a deleted run or a replaced log)`,
          });
        } else if (hash !== checkpoint.head)
          problems.push({
            stream,
            seq,
            what: `record ${seq} is not the one ${said} (a rewritten record)`,
          });
      }
      if (checkpoint.reason === 'close' && info && info.lastSeq >= checkpoint.count)
        problems.push({
          stream,
          seq: checkpoint.count,
          what: `stream ${stream} has records after its clean close at ${checkpoint.count} (records added later)`,
        });
      if (checkpoint.keyed && info && !info.macs)
        problems.push({
          stream,
          what: `stream ${stream} was written with BASTION_AUDIT_KEY but its records carry no MAC (rewritten without the key)`,
        });
    });
  }
  for (const [stream, info] of log.streams) {
    if (!byStream.has(stream))
      problems.push({
        ...(info.firstFile !== undefined ? { file: info.firstFile } : {}),
        line: info.firstLine,
        stream,
        what: `stream ${stream} was never announced by a signed checkpoint (records forged or the log replaced)`,
      });
  }
  return missing;
}

// A stream's `rotate` checkpoint: the named file is there and holds exactly that stream's
// records from..count-1, the last with the signed head.
function checkRotatedFile(
  checkpoint: Checkpoint,
  info: StreamInfo | undefined,
  rotated: ReadonlySet<string>,
  problems: AuditProblem[],
): void {
  const { stream, count } = checkpoint;
  const file = checkpoint.file!;
  const from = checkpoint.from ?? 0;
  const said = `the signed checkpoint of ${checkpoint.time} says it holds records ${from}..${count - 1} of stream ${stream}`;
  if (!rotated.has(file)) {
    if (from === count) return;
    problems.push({
      stream,
      what: `rotated file ${file} is missing: ${said} (a dropped rotated file)`,
    });
    return;
  }
  const range = info?.files.get(file);
  if (from === count) {
    if (range)
      problems.push({
        file,
        stream,
        what: `rotated file ${file} has records of stream ${stream} although ${said.replace(/records .* of/, 'none of')} (records added to a rotated file)`,
      });
    return;
  }
  if (!range) {
    problems.push({
      file,
      stream,
      what: `rotated file ${file} holds no record of stream ${stream}: ${said} (emptied, truncated or replaced)`,
    });
    return;
  }
  if (range.last < count - 1) {
    problems.push({
      file,
      stream,
      seq: range.last,
      what: `rotated file ${file} ends at record ${range.last} of stream ${stream}: ${said} (a tail cut from a rotated file)`,
    });
    return;
  }
  if (range.last > count - 1)
    problems.push({
      file,
      stream,
      seq: count,
      what: `rotated file ${file} has records of stream ${stream} after ${count - 1}: ${said} (records added to a rotated file)`,
    });
  else if (info!.hashes.get(count - 1) !== checkpoint.head)
    problems.push({
      file,
      stream,
      seq: count - 1,
      what: `record ${count - 1} in ${file} is not the one ${said} names (a rewritten record)`,
    });
  if (range.first !== from)
    problems.push({
      file,
      stream,
      seq: range.first,
      what: `rotated file ${file} starts at record ${range.first} of stream ${stream}: ${said} (records cut from its start)`,
    });
}

export { formatProblem };
