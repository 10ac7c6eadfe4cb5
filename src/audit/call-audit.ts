import { randomUUID } from 'node:crypto';
import { AuditUnavailableError } from '../errors/index.js';
import type { AuditCaller, AuditEvent, AuditSink } from './types.js';

export type CallOutcome = Omit<
  AuditEvent,
  'server' | 'tool' | 'args' | 'client' | 'phase' | 'call' | keyof AuditCaller
>;

// The audit of one tool call. With `beginCall`, the intent is written before anything happens
// (AuditUnavailableError when it cannot: the caller then refuses the call, no effect without a
// record) and `finish` writes the outcome with the same call id. With `wholeCall`, for a call
// that changes nothing, `finish` writes the one record. `finish` resolves to an error only when the
// call's answer must be withheld: its one record could not be written.
export interface CallAudit {
  readonly call: string;
  // Resolves to the error to answer with instead of the call's result, or undefined.
  finish(outcome: CallOutcome): Promise<AuditUnavailableError | undefined>;
}

export interface CallFacts {
  server: string;
  tool: string;
  args: unknown;
  client?: string;
  caller?: AuditCaller;
}

// What every record of one call says: who called what, with the scrubbed arguments.
function callBase(facts: CallFacts, args: unknown, call: string): AuditEvent {
  return {
    server: facts.server,
    tool: facts.tool,
    args,
    ...(facts.client !== undefined ? { client: facts.client } : {}),
    ...facts.caller,
    call,
  };
}

export async function beginCall(sink: AuditSink, facts: CallFacts): Promise<CallAudit> {
  const call = randomUUID();
  const base = callBase(facts, await sink.scrub(facts.args), call);
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
      return undefined;
    },
  };
}

// A call that changes nothing (a read-only, idempotent tool) in one record, phase 'complete',
// written after it ran and before its answer leaves. The guarantee is the intent's: what such a
// call does is disclose, and nothing is disclosed unrecorded (when the record cannot be written
// the caller withholds the answer and refuses the call). A crash before the record leaves
// nothing done and nothing answered. Half the records of an intent and an outcome.
export function wholeCall(sink: AuditSink, facts: CallFacts): CallAudit {
  const call = randomUUID();
  return {
    call,
    async finish(outcome) {
      try {
        const args = await sink.scrub(facts.args);
        const details = outcome.details ? await sink.scrub(outcome.details) : undefined;
        sink.record({
          ...callBase(facts, args, call),
          phase: 'complete',
          ...outcome,
          ...(details ? { details } : {}),
        });
        return undefined;
      } catch (err) {
        if (err instanceof AuditUnavailableError) return err;
        // Security: a record that could not be made (the secret scan failed to load, say) is a
        // record missing all the same: the answer is withheld, and the error's own text (which
        // may name internal paths) never reaches the client.
        return new AuditUnavailableError('its record could not be made', { cause: err });
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
