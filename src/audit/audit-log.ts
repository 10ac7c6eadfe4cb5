import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AuditUnavailableError } from '../errors/index.js';
import { GENESIS_HASH, hashBodyJson, initialStreamKey, macOf, nextKey } from './chain.js';
import { checkpointDigest, CHECKPOINT_FILE_NAME, signCheckpoint } from './checkpoint.js';
import type { CheckpointReason } from './checkpoint.js';
import { createLineAppender, type LineAppender } from './line-appender.js';
import { collectSecretEnvValues, redact, redactString } from './redact.js';
import { scanForSecrets } from './secret-scan.js';
import { loadOrCreateSigningKey } from './signing-key.js';
import type { AuditEvent, AuditRecord, AuditSink } from './types.js';
import { describeWriteFailure, createOutageReporter } from './outage.js';
import { AUDIT_FILE_NAME } from './rotation.js';

export type { AuditDecision, AuditEvent, AuditRecord, AuditSink, AuditPhase } from './types.js';
export { GENESIS_HASH } from './chain.js';

export { AUDIT_FILE_NAME } from './rotation.js';
const CHECKPOINT_EVERY_RECORDS = 1_000;
const CHECKPOINT_EVERY_MS = 60_000;
const DEFAULT_ROTATE_BYTES = 64 * 1024 * 1024;

export interface AuditLogOptions {
  dir: string;
  redactKeys?: readonly string[];
  // BASTION_AUDIT_KEY: records get a forward-evolving HMAC (see chain.ts).
  key?: string;
  // Where the values of secret-named variables come from (default: this process's environment).
  env?: NodeJS.ProcessEnv;
  // Where "the audit log cannot be written" goes (default: stderr).
  warn?: (message: string) => void;
  checkpointEveryMs?: number;
  // Rotation of audit.jsonl (config audit.rotateBytes / rotateDays; defaults 64 MiB, 1 day).
  rotateBytes?: number;
  rotateDays?: number;
  // The clock of record times and day rotation (tests move it).
  now?: () => number;
}

// Append-only JSONL sink. Each process writes its own stream (a hash chain, keyed when a key is
// given) into the shared logs/audit.jsonl, and signed checkpoints of it into
// logs/audit-checkpoints.jsonl: at the start, every 1,000 records, every 60 s, at close, and
// when the stream leaves a rotated file (the chain goes on in the next file).
export function createAuditLog(options: AuditLogOptions): AuditSink {
  const file = path.join(options.dir, AUDIT_FILE_NAME);
  const now = options.now ?? Date.now;
  // A rotated file this stream left whose checkpoint is not written yet (retried first).
  let leaving: { file: string; from: number; count: number; head: string } | null = null;
  // This stream's seq when it started on the file it writes now.
  let fileStart = 0;
  const log: LineAppender = createLineAppender(file, options.dir, {
    rotation: {
      maxBytes: options.rotateBytes ?? DEFAULT_ROTATE_BYTES,
      maxDays: options.rotateDays ?? 1,
      now,
    },
    onLeave(rotatedAs) {
      leaving = { file: rotatedAs, from: fileStart, count: seq, head: prev };
      fileStart = seq;
      writeLeaving();
    },
  });
  const checkpoints = createLineAppender(path.join(options.dir, CHECKPOINT_FILE_NAME), options.dir);
  const signingKey = loadOrCreateSigningKey(options.dir);
  const secretValues = collectSecretEnvValues(options.env ?? process.env);
  const extraKeys = options.redactKeys ?? [];
  const outage = createOutageReporter(
    options.warn ?? ((message) => process.stderr.write(`bastion: ${message}\n`)),
  );
  const stream = randomUUID();
  const keyed = options.key !== undefined && options.key !== '';
  let key = keyed ? initialStreamKey(options.key!, stream) : null;
  let seq = 0;
  let prev = GENESIS_HASH;
  let checkpointN = 0;
  let checkpointPrev = GENESIS_HASH;
  let checkpointedCount = -1;
  let started = false;
  let closed = false;
  let lastRecordFailed = false;

  function writeCheckpoint(
    reason: CheckpointReason,
    at: { count: number; head: string; file?: string; from?: number } = { count: seq, head: prev },
  ): void {
    const checkpoint = signCheckpoint(
      {
        stream,
        n: checkpointN,
        prev: checkpointPrev,
        count: at.count,
        head: at.head,
        keyed,
        reason,
        ...(at.file !== undefined ? { file: at.file, from: at.from } : {}),
        time: new Date(now()).toISOString(),
      },
      signingKey.privateKey,
    );
    checkpoints.append(JSON.stringify(checkpoint));
    checkpointN += 1;
    checkpointPrev = checkpointDigest(checkpoint);
    checkpointedCount = at.count;
  }

  // Security: a rotated file is bound by a signed "this stream's records in <file> end at
  // <count>, <head>", so a dropped, cut or edited rotated file is found by name.
  function writeLeaving(): void {
    if (!leaving) return;
    writeCheckpoint('rotate', leaving);
    leaving = null;
  }

  function tryCheckpoint(reason: CheckpointReason): void {
    try {
      writeCheckpoint(reason);
    } catch (err) {
      outage.failed(`checkpoint not written: ${describeWriteFailure(err)}`);
    }
  }

  function build(event: AuditEvent): { record: AuditRecord; line: string } {
    const body = {
      time: new Date(now()).toISOString(),
      stream,
      seq,
      prev,
      ...event,
      server: redactString(event.server, secretValues),
      tool: redactString(event.tool, secretValues),
      args: redact(event.args, extraKeys, 0, secretValues),
      ...(event.client !== undefined ? { client: redactString(event.client, secretValues) } : {}),
      ...(event.details
        ? { details: redact(event.details, extraKeys, 0, secretValues) as Record<string, unknown> }
        : {}),
    };
    // Serialised once: hashed, then written with hash (and mac) as the last keys, which is
    // exactly JSON.stringify(record) (what verification re-derives).
    const bodyJson = JSON.stringify(body);
    const hash = hashBodyJson(bodyJson);
    const mac = key ? macOf(key, hash) : undefined;
    const tail = mac ? `,"hash":"${hash}","mac":"${mac}"}` : `,"hash":"${hash}"}`;
    const record: AuditRecord = { ...body, hash, ...(mac ? { mac } : {}) };
    return { record, line: `${bodyJson.slice(0, -1)}${tail}` };
  }

  function write(event: AuditEvent): AuditRecord {
    if (closed) throw new AuditUnavailableError('the audit log is closed');
    const { record, line } = build(event);
    let recreated: boolean;
    try {
      // Security: the stream is announced by a signed checkpoint before its first record, so a
      // log replaced by a freshly made chain (streams nobody announced) is found.
      if (!started) {
        writeCheckpoint('start');
        started = true;
      }
      writeLeaving();
      ({ recreated } = log.append(line));
    } catch (err) {
      const reason = describeWriteFailure(err);
      outage.failed(reason);
      lastRecordFailed = true;
      throw new AuditUnavailableError(reason, { cause: err });
    }
    lastRecordFailed = false;
    if (recreated) fileStart = seq;
    seq += 1;
    prev = record.hash;
    // Forward security: the key that made this MAC is gone once the record is down.
    if (key) key = nextKey(key);
    if (recreated)
      noteEvent('audit_log_recreated', {
        reason: 'the log file was deleted while serving; records before this one are not in it',
      });
    const recovered = outage.recovered();
    if (recovered) noteEvent('audit_log_recovered', recovered);
    if (seq % CHECKPOINT_EVERY_RECORDS === 0) tryCheckpoint('count');
    return record;
  }

  function noteEvent(tool: string, details: Record<string, unknown>): void {
    write({ server: 'audit', tool, args: {}, decision: 'allow', outcome: 'ok', details });
  }

  // An idle stream still says, within a period, that it left a file another writer rotated.
  function followRotation(): void {
    try {
      log.refresh();
    } catch (err) {
      outage.failed(`rotation not followed: ${describeWriteFailure(err)}`);
    }
  }

  const timer = setInterval(() => {
    if (closed) return;
    followRotation();
    if (started && seq !== checkpointedCount) tryCheckpoint('interval');
  }, options.checkpointEveryMs ?? CHECKPOINT_EVERY_MS);
  timer.unref();
  try {
    writeCheckpoint('start');
    started = true;
  } catch (err) {
    // Retried before the first record; until then every record (and so every call) is refused.
    outage.failed(describeWriteFailure(err));
  }

  return {
    record: write,
    scrub: (value) => scanForSecrets(value),
    refusing: () => closed || lastRecordFailed,
    close() {
      if (closed) return;
      clearInterval(timer);
      if (started) {
        followRotation();
        tryCheckpoint('close');
      }
      closed = true;
      log.close();
      checkpoints.close();
    },
  };
}
