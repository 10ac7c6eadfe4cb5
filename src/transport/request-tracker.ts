import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { McpServer, RequestId } from '@modelcontextprotocol/server';
import { describeIssues, isZodError, type Issue } from './describe-issues.js';

// JSON-RPC "invalid params".
const INVALID_PARAMS = -32602;

type RequestHandler = (request: unknown, ctx: { mcpReq: { id: RequestId } }) => Promise<unknown>;

// How a handler ended: its result, or the error the SDK would have turned into a response.
export type HandlerOutcome =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: number; message: string; data?: unknown } };

interface Running {
  id: RequestId;
  // Set once the host has cancelled the call: the SDK then drops its answer, so the host sends it.
  onSettled?: (outcome: HandlerOutcome) => void;
}

// The requests a server is running right now, so a shutdown can let them finish first.
export interface RequestTracker {
  running(): RequestId[];
  // Resolves true once nothing runs, or false after `ms` with calls still running.
  whenIdle(ms: number): Promise<boolean>;
  // Hand every running call's outcome to `onSettled` instead of the SDK (after a cancel).
  adoptRunning(onSettled: (id: RequestId, outcome: HandlerOutcome) => void): void;
}

function toOutcome(err: unknown): HandlerOutcome {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  return {
    ok: false,
    error: {
      code: Number.isSafeInteger(e?.code) ? (e.code as number) : -32603,
      message: typeof e?.message === 'string' ? e.message : 'Internal error',
      ...(e?.data !== undefined ? { data: e.data } : {}),
    },
  };
}

// The issues behind a refusal of the request's params by the SDK's era schema: it throws
// -32602 "Invalid <method> request: " followed by zod's JSON dump of the issues.
function sdkParamsIssues(err: unknown, method: string): Issue[] | undefined {
  if (isZodError(err)) return err.issues;
  const e = err as { code?: unknown; message?: unknown };
  const prefix = `Invalid ${method} request: `;
  if (e?.code !== INVALID_PARAMS || typeof e.message !== 'string') return undefined;
  if (!e.message.startsWith(prefix)) return undefined;
  try {
    const issues: unknown = JSON.parse(e.message.slice(prefix.length));
    return Array.isArray(issues) ? (issues as Issue[]) : undefined;
  } catch {
    return undefined;
  }
}

// Answer params the SDK's request schema refuses with -32602 and one short line instead of the
// schema dump the SDK puts in the message.
function toInvalidParams(issues: Issue[], request: unknown): Error {
  const params = (request as { params?: unknown }).params;
  const message = describeIssues(issues, { params }, 1) || 'invalid params';
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}

// Wrap every request handler the server has registered (call after all tools are registered):
// count the calls running, and map refused params to -32602. The SDK keeps handlers in a private
// map (the same one audit-rejected-calls wraps); pinned by the lockfile and covered by the
// shutdown and invalid-params integration tests.
export function trackRequests(mcp: McpServer | undefined): RequestTracker {
  const handlers = (mcp?.server as unknown as { _requestHandlers?: Map<string, RequestHandler> })
    ?._requestHandlers;
  const running = new Set<Running>();
  let idleWaiters: (() => void)[] = [];
  const settle = (entry: Running, outcome: HandlerOutcome): void => {
    running.delete(entry);
    entry.onSettled?.(outcome);
    if (running.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };
  for (const [method, handler] of handlers ?? []) {
    handlers!.set(method, async (request, ctx) => {
      const entry: Running = { id: ctx.mcpReq.id };
      running.add(entry);
      try {
        const result = await handler(request, ctx);
        settle(entry, { ok: true, result });
        return result;
      } catch (err) {
        const issues = sdkParamsIssues(err, method);
        const mapped = issues ? toInvalidParams(issues, request) : err;
        settle(entry, toOutcome(mapped));
        throw mapped;
      }
    });
  }
  return {
    running: () => [...running].map((entry) => entry.id),
    whenIdle: (ms) =>
      running.size === 0
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            idleWaiters.push(() => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
    adoptRunning: (onSettled) => {
      for (const entry of running) entry.onSettled = (outcome) => onSettled(entry.id, outcome);
    },
  };
}
