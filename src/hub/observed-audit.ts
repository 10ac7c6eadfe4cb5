import {
  AuditUnavailableError,
  type AuditEvent,
  type AuditRecord,
  type AuditSink,
} from '../audit/index.js';

// An audit sink that also reports each written record (to metrics) and whether the log is
// currently taking records (for /healthz), without changing what the sink does.
export interface ObservedAudit extends AuditSink {
  isWritable(): boolean;
}

// Wraps a sink. A record the sink refused (AuditUnavailableError) marks the log unwritable
// until the next record it takes; the error still reaches the caller, which refuses the call.
export function observeAudit(
  sink: AuditSink,
  // Called with the event and the record as written (time, chain fields, scrubbed args).
  onRecord: (event: AuditEvent, written: AuditRecord) => void,
  onWritableChange: (writable: boolean) => void,
): ObservedAudit {
  let writable = true;
  const setWritable = (value: boolean): void => {
    if (value === writable) return;
    writable = value;
    onWritableChange(value);
  };
  return {
    record(event) {
      try {
        const written = sink.record(event);
        setWritable(true);
        onRecord(event, written);
        return written;
      } catch (err) {
        if (err instanceof AuditUnavailableError) setWritable(false);
        throw err;
      }
    },
    scrub: (value) => sink.scrub(value),
    refusing: () => sink.refusing(),
    close: () => sink.close(),
    isWritable: () => writable,
  };
}
