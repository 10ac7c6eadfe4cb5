// Who decided what: allow (ran), deny (a boundary or policy refused it), error (ran and failed).
export type AuditDecision = 'allow' | 'deny' | 'error';

// Which part of a tool call a record is: the intent goes down before the effect, the outcome
// after it, both with the same call id; a call that changes nothing (a read-only, idempotent
// tool) is one 'complete' record, written before its answer leaves. Events that are not calls
// (a sweep, an expiry) have none.
export type AuditPhase = 'intent' | 'outcome' | 'complete';

// Who made a call, as far as the transport knows: the token's name over HTTP, the client's
// address, the protocol era ('modern' = 2026-07-28, 'legacy' = 2025) and the transport.
export interface AuditCaller {
  principal?: string;
  address?: string;
  era?: 'modern' | 'legacy';
  transport?: 'stdio' | 'http';
}

// What a server reports: one tool call's intent or outcome, or one event.
export interface AuditEvent extends AuditCaller {
  server: string;
  tool: string;
  args: unknown;
  phase?: AuditPhase;
  call?: string;
  decision?: AuditDecision;
  rule?: string;
  durationMs?: number;
  outcome?: string;
  errorCode?: string;
  ref?: string;
  client?: string;
  details?: Record<string, unknown>;
}

// One line of logs/audit.jsonl. `stream`, `seq`, `prev` and `hash` chain the records of one
// writer (one process); `mac` keys the hash when BASTION_AUDIT_KEY is set (see chain.ts).
export interface AuditRecord extends AuditEvent {
  time: string;
  stream: string;
  seq: number;
  prev: string;
  hash: string;
  mac?: string;
}

// The small interface servers use. `record` throws AuditUnavailableError when the record could
// not be written (fail closed: the caller must not go on to the effect). `scrub` runs the
// maintained secret rule set (asynchronous) over values before they are recorded.
export interface AuditSink {
  record(event: AuditEvent): AuditRecord;
  scrub<T>(value: T): Promise<T>;
  // True while the last record could not be written (an outage). A call that changes nothing
  // then writes an intent first like any other, so it is refused before it runs, and the
  // attempt is what notices the log taking records again.
  refusing(): boolean;
  close(): void;
}
