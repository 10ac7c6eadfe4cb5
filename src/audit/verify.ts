import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { AUDIT_FILE_NAME } from './audit-log.js';
import {
  checkpointDigest,
  CHECKPOINT_FILE_NAME,
  isSignatureValid,
  type Checkpoint,
} from './checkpoint.js';
import { GENESIS_HASH } from './chain.js';
import { loadPublicKey, SIGNING_KEY_FILE } from './signing-key.js';
import { checkLogLines, formatProblem, type AuditProblem, type LogCheck } from './verify-log.js';

export interface VerifyOptions {
  dir: string;
  key?: string;
  publicKeyFile?: string;
}

export interface VerifyReport {
  ok: boolean;
  problems: AuditProblem[];
  notes: string[];
  records: number;
  streams: number;
  checkpoints: number;
  bytes: number;
  exists: boolean;
}

function readLines(file: string): string[] | null {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n') : null;
}

// Check the log against its chains, its MACs (given the key) and its signed checkpoints: a
// record edited, dropped, reordered or replayed, a cut tail, a deleted run, a replaced, emptied
// or deleted log are all problems; a crash's torn last line is a note saying where the log ends.
export function verifyAuditDir(options: VerifyOptions): VerifyReport {
  const logFile = path.join(options.dir, AUDIT_FILE_NAME);
  const logLines = readLines(logFile);
  const checkpointLines = readLines(path.join(options.dir, CHECKPOINT_FILE_NAME)) ?? [];
  const bytes = logLines ? statSync(logFile).size : 0;
  const log = checkLogLines(logLines ?? [], options.key);
  const problems = [...log.problems];
  const notes = [...log.notes];
  const publicKey = loadPublicKey(options.dir, options.publicKeyFile);
  const checkpoints = parseCheckpoints(checkpointLines, notes, problems);
  if (checkpoints.length > 0 && !publicKey)
    problems.push({
      what: 'checkpoints exist but no public key to check them (audit-signing-key.pub.pem was removed)',
    });
  if (logLines === null && checkpoints.some((c) => c.count > 0))
    problems.push({
      what: `${AUDIT_FILE_NAME} is missing, but signed checkpoints say it held records: the log was deleted`,
    });
  else if (logLines !== null && bytes === 0 && checkpoints.some((c) => c.count > 0))
    problems.push({
      what: `${AUDIT_FILE_NAME} is empty, but signed checkpoints say it held records: the log was truncated`,
    });
  if (
    logLines === null &&
    checkpoints.length === 0 &&
    existsSync(path.join(options.dir, SIGNING_KEY_FILE))
  )
    problems.push({
      what: `${AUDIT_FILE_NAME} and its checkpoints are missing, but the signing key shows the log was in use: both were deleted`,
    });
  checkAgainstCheckpoints(log, checkpoints, publicKey, problems);
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return {
    ok: problems.length === 0,
    problems,
    notes,
    records: log.records,
    streams: log.streams.size,
    checkpoints: checkpoints.length,
    bytes,
    exists: logLines !== null,
  };
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

function checkAgainstCheckpoints(
  log: LogCheck,
  checkpoints: LocatedCheckpoint[],
  publicKey: KeyObject | null,
  problems: AuditProblem[],
): void {
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
      if (checkpoint.count > 0) {
        const seq = checkpoint.count - 1;
        const hash = info?.hashes.get(seq);
        const said = `the signed checkpoint of ${checkpoint.time} (${checkpoint.reason}) says stream ${stream} had ${checkpoint.count} records`;
        if (hash === undefined)
          problems.push({
            stream,
            seq,
            what: `record ${seq} is missing: ${said} (a cut tail, a deleted run or a replaced log)`,
          });
        else if (hash !== checkpoint.head)
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
        line: info.firstLine,
        stream,
        what: `stream ${stream} was never announced by a signed checkpoint (records forged or the log replaced)`,
      });
  }
}

export { formatProblem };
