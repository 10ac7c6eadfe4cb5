import { createHash, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { redact } from './redact.js';

// Who decided what: allow (ran), deny (a boundary or policy refused it), error (ran and failed).
export type AuditDecision = 'allow' | 'deny' | 'error';

// What a server reports about one tool call.
export interface AuditEvent {
  server: string;
  tool: string;
  args: unknown;
  decision: AuditDecision;
  rule?: string;
  durationMs: number;
  outcome: string;
  errorCode?: string;
  ref?: string;
  client?: string;
  details?: Record<string, unknown>;
}

// One line of logs/audit.jsonl. `stream`, `seq`, `prev` and `hash` form a per-process hash chain:
// removing or editing a record breaks the chain of its stream (see verifyAuditLines).
export interface AuditRecord extends AuditEvent {
  time: string;
  stream: string;
  seq: number;
  prev: string;
  hash: string;
}

// The one small interface servers use; a later sink (remote, queryable) implements the same.
export interface AuditSink {
  record(event: AuditEvent): AuditRecord;
  close(): void;
}

export const AUDIT_FILE_NAME = 'audit.jsonl';
export const GENESIS_HASH = '0'.repeat(64);

export function hashRecord(body: Omit<AuditRecord, 'hash'>): string {
  return hashBodyJson(JSON.stringify(body));
}

function hashBodyJson(bodyJson: string): string {
  return createHash('sha256').update(bodyJson).digest('hex');
}

// Append-only JSONL sink. Opened with O_APPEND so several Bastion processes can share one file;
// each process chains its own stream, so interleaving never breaks verification.
export function createAuditLog(options: {
  dir: string;
  redactKeys?: readonly string[];
}): AuditSink {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dir, AUDIT_FILE_NAME);
  const fd = openSync(file, 'a', 0o600);
  const stream = randomUUID();
  let seq = 0;
  let prev = GENESIS_HASH;
  let closed = false;

  return {
    record(event) {
      const body: Omit<AuditRecord, 'hash'> = {
        time: new Date().toISOString(),
        stream,
        seq,
        prev,
        ...event,
        args: redact(event.args, options.redactKeys),
        ...(event.details
          ? { details: redact(event.details, options.redactKeys) as Record<string, unknown> }
          : {}),
      };
      // The body is serialised once: hashed, then written with the hash as its last key, which
      // is exactly JSON.stringify({ ...body, hash }) (what verifyAuditLines re-derives).
      const bodyJson = JSON.stringify(body);
      const hash = hashBodyJson(bodyJson);
      const record: AuditRecord = { ...body, hash };
      // Security: written synchronously, before the tool's answer is sent: every answered call
      // has its record on disk (in the page cache) even if the process dies right after.
      if (!closed) writeSync(fd, `${bodyJson.slice(0, -1)},"hash":"${hash}"}\n`);
      seq += 1;
      prev = record.hash;
      return record;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

// Check every stream's chain in the given lines; returns the problems found (empty = intact).
export function verifyAuditLines(lines: readonly string[]): string[] {
  const problems: string[] = [];
  const heads = new Map<string, { seq: number; hash: string }>();
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let record: AuditRecord;
    try {
      record = JSON.parse(line) as AuditRecord;
    } catch {
      problems.push(`line ${index + 1}: not JSON`);
      return;
    }
    const { hash, ...body } = record;
    if (hashRecord(body) !== hash)
      problems.push(`line ${index + 1}: hash mismatch (edited record)`);
    const head = heads.get(record.stream);
    const expectedSeq = head ? head.seq + 1 : 0;
    const expectedPrev = head ? head.hash : GENESIS_HASH;
    if (record.seq !== expectedSeq || record.prev !== expectedPrev) {
      problems.push(
        `line ${index + 1}: chain broken in stream ${record.stream} (missing or reordered record)`,
      );
    }
    heads.set(record.stream, { seq: record.seq, hash });
  });
  return problems;
}
