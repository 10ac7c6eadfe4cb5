import type { AuditRecord } from '../audit/index.js';
import { summarizeArgs } from './summarize-args.js';

// One audit record as the page sees it arrive: what happened, by whom, without chain fields
// and with long argument values cut down (a write's content stays in the log only).
export interface LiveRecord {
  time: string;
  server: string;
  tool: string;
  call?: string;
  phase?: string;
  decision?: string;
  rule?: string;
  outcome?: string;
  errorCode?: string;
  durationMs?: number;
  principal?: string;
  args: unknown;
}

export type LiveListener = (record: LiveRecord) => void;

// The in-process channel from the hub's audit sink to the dashboard's event streams: records
// are pushed as they are written, so the page never polls the log file.
export interface LiveFeed {
  publish(record: AuditRecord): void;
  // undefined when MAX_LIVE_SUBSCRIBERS streams are already open.
  subscribe(listener: LiveListener): (() => void) | undefined;
  subscriberCount(): number;
}

// Bounds the open event streams (each holds a socket and a queue).
export const MAX_LIVE_SUBSCRIBERS = 32;

export function toLiveRecord(r: AuditRecord): LiveRecord {
  return {
    time: r.time,
    server: r.server,
    tool: r.tool,
    ...(r.call !== undefined ? { call: r.call } : {}),
    ...(r.phase !== undefined ? { phase: r.phase } : {}),
    ...(r.decision !== undefined ? { decision: r.decision } : {}),
    ...(r.rule !== undefined ? { rule: r.rule } : {}),
    ...(r.outcome !== undefined ? { outcome: r.outcome } : {}),
    ...(r.errorCode !== undefined ? { errorCode: r.errorCode } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    ...(r.principal !== undefined ? { principal: r.principal } : {}),
    args: summarizeArgs(r.args),
  };
}

// A feed for one hub. Publishing runs inside the audit write, so it stays cheap (nothing is
// built while no page listens) and a failing listener never reaches the caller's tool call.
export function createLiveFeed(): LiveFeed {
  const listeners = new Set<LiveListener>();
  return {
    publish(record) {
      if (listeners.size === 0) return;
      const live = toLiveRecord(record);
      for (const listener of listeners) {
        try {
          listener(live);
        } catch {
          // A stream that cannot take the record is closed by its own route.
        }
      }
    },
    subscribe(listener) {
      if (listeners.size >= MAX_LIVE_SUBSCRIBERS) return undefined;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscriberCount: () => listeners.size,
  };
}
