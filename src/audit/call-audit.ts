import { randomUUID } from 'node:crypto';
import { AuditUnavailableError } from '../errors/index.js';
import type { AuditCaller, AuditEvent, AuditSink } from './types.js';

// The two records of one tool call. `begin` writes the intent before anything happens and
// throws AuditUnavailableError when it cannot (the caller then refuses the call: no effect
// without a record); `finish` writes the outcome with the same call id.
export interface CallAudit {
  readonly call: string;
  finish(
    outcome: Omit<
      AuditEvent,
      'server' | 'tool' | 'args' | 'client' | 'phase' | 'call' | keyof AuditCaller
    >,
  ): Promise<void>;
}

export interface CallFacts {
  server: string;
  tool: string;
  args: unknown;
  client?: string;
  caller?: AuditCaller;
}

export async function beginCall(sink: AuditSink, facts: CallFacts): Promise<CallAudit> {
  const call = randomUUID();
  const args = await sink.scrub(facts.args);
  const base = {
    server: facts.server,
    tool: facts.tool,
    args,
    ...(facts.client !== undefined ? { client: facts.client } : {}),
    ...facts.caller,
    call,
  };
  sink.record({ ...base, phase: 'intent' });
  return {
    call,
    async finish(outcome) {
      const details = outcome.details ? await sink.scrub(outcome.details) : undefined;
      try {
        sink.record({ ...base, phase: 'outcome', ...outcome, ...(details ? { details } : {}) });
      } catch (err) {
        // The effect has happened and its intent is on record; the sink has said on stderr
        // why the outcome could not be written. The caller still gets the true result.
        if (!(err instanceof AuditUnavailableError)) throw err;
      }
    },
  };
}

// Record an event that has already happened (a timer's kill, a sweep): when the log cannot take
// it the sink has already said so on stderr, and there is no call to refuse.
export function tryRecord(sink: AuditSink, event: AuditEvent): void {
  try {
    sink.record(event);
  } catch (err) {
    if (!(err instanceof AuditUnavailableError)) throw err;
  }
}
