import type {
  McpServer,
  CallToolResult,
  InputRequiredResult,
  ToolAnnotations,
  ServerContext,
} from '@modelcontextprotocol/server';
import { CLIENT_INFO_META_KEY, isInputRequiredResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import {
  beginCall,
  wholeCall,
  type AuditCaller,
  type AuditDecision,
  type AuditSink,
  type CallAudit,
} from '../../audit/index.js';
import { BastionError, CommandDeniedError, toToolResult } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { auditRejectedCalls, markAudited } from './audit-rejected-calls.js';
import { toolSchemaOf } from './tool-schema.js';
import { startToolSpan, type SpanOutcome } from './tool-span.js';

// Error codes that mean "a boundary or policy said no", as opposed to "it ran and failed".
const DENY_CODES = new Set(['PATH_OUTSIDE_ROOTS', 'PATH_DENIED', 'COMMAND_DENIED']);

export type ToolExtra = ServerContext;

// What a handler returns: the MCP result plus optional facts for the audit record only.
export type ToolResultWithAudit = CallToolResult & { audit?: AuditFacts };

// A handler's request for the client's input (2026-07-28 round trip), with its audit facts.
export type AskResultWithAudit = InputRequiredResult & { audit?: AuditFacts };

// What a handler tells the audit record beyond the result itself.
export interface AuditFacts {
  details?: Record<string, unknown>;
  rule?: string;
  decision?: AuditDecision;
}

export interface ToolContext {
  mcp: McpServer;
  audit: AuditSink;
  logger: Logger;
  server: string;
  // Awaited before every call: e.g. until the client's MCP roots have narrowed the guard, so no
  // call races the narrowing and runs against the wider configured roots.
  ready?: () => Promise<void>;
  // Wraps every handler run: e.g. a 2026-07-28 request's own client roots (request-roots.ts),
  // which may answer with an input-required result before the handler runs at all.
  scope?: (
    extra: ToolExtra,
    run: () => Promise<ToolResultWithAudit | AskResultWithAudit>,
  ) => Promise<ToolResultWithAudit | AskResultWithAudit>;
  // Who this instance serves (HTTP: the token, address and era), written into every record.
  caller?: AuditCaller;
  // A read-only principal: only tools whose readOnlyHint is true are registered at all, so the
  // others are neither listed nor callable (an unknown tool is refused -32602, and audited).
  readOnly?: boolean;
  // An instance built for one tools/call (a 2026-07-28 request) registers that tool alone: the
  // other tools' schemas and handlers would be built for nothing. The caller makes sure the
  // name is one of its tools (else it registers them all, so an unknown tool is refused as ever).
  onlyTool?: string;
}

// What a handler may know of its own audit record: the call id (ties effects such as a history
// entry to the record) and who called.
export interface ToolCallInfo {
  call: string;
  caller?: AuditCaller;
}

export interface AuditedToolDefinition<
  I extends z.ZodRawShape,
  O extends z.ZodRawShape | undefined,
> {
  title: string;
  description: string;
  inputSchema: I;
  outputSchema?: O;
  // All four hints are required so no tool forgets to say what it does.
  annotations: Required<
    Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint' | 'openWorldHint'>
  >;
}

// The calling client's self-reported name: 2026-07-28 requests carry it in their per-request
// _meta envelope; 2025 clients named themselves once, at initialize.
function clientName(mcp: McpServer, extra: ToolExtra): string | undefined {
  const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
  const info = envelope?.[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined;
  if (typeof info?.name === 'string') return info.name;
  return mcp.server.getClientVersion()?.name;
}

// Register a tool whose every call is timed, mapped to a safe result at the edge, and audited:
// an intent record before the handler runs (refused when it cannot be written), an outcome after;
// a read-only, idempotent tool's call in one record before its answer (withheld when it cannot).
// Each call is also one OpenTelemetry span (tool-span.ts), a no-op unless the user set one up.
export function registerAuditedTool<
  I extends z.ZodRawShape,
  O extends z.ZodRawShape | undefined = undefined,
>(
  ctx: ToolContext,
  name: string,
  definition: AuditedToolDefinition<I, O>,
  handler: (
    args: z.infer<z.ZodObject<I>>,
    extra: ToolExtra,
    info: ToolCallInfo,
  ) => Promise<ToolResultWithAudit | AskResultWithAudit>,
): void {
  // Security: a read-only token never sees a tool that can change anything, let alone call it.
  if (ctx.readOnly === true && !definition.annotations.readOnlyHint) {
    auditRejectedCalls(ctx.mcp, ctx.audit, ctx.server, ctx.caller);
    return;
  }
  if (ctx.onlyTool !== undefined && ctx.onlyTool !== name) return;
  // A call that changes nothing is audited in one record, before its answer (call-audit.ts).
  // Not read_output: it consumes a session's output, which a withheld answer would lose.
  const changesNothing =
    definition.annotations.readOnlyHint && definition.annotations.idempotentHint;
  const callback = async (
    args: z.infer<z.ZodObject<I>>,
    extra: ToolExtra,
  ): Promise<CallToolResult | InputRequiredResult> => {
    const span = startToolSpan({
      server: ctx.server,
      tool: name,
      mcp: ctx.mcp,
      extra,
      ...(ctx.caller ? { caller: ctx.caller } : {}),
    });
    const ended: SpanOutcome = {};
    try {
      return await span.run(() => audited(args, extra, ended, (c) => span.setCall(c)));
    } finally {
      span.end(ended);
    }
  };
  // The call itself; `ended` says how it ended, for the span.
  const audited = async (
    args: z.infer<z.ZodObject<I>>,
    extra: ToolExtra,
    ended: SpanOutcome,
    onCall: (call: string) => void,
  ): Promise<CallToolResult | InputRequiredResult> => {
    const started = performance.now();
    markAudited(ctx.mcp, extra.mcpReq.id);
    const client = clientName(ctx.mcp, extra);
    const facts = {
      server: ctx.server,
      tool: name,
      args,
      ...(client ? { client } : {}),
      ...(ctx.caller ? { caller: ctx.caller } : {}),
    };
    // Security: fail closed. A call whose intent cannot be recorded never reaches its handler;
    // a call recorded whole gives no answer when its record cannot be written.
    const refuse = (err: unknown): CallToolResult => {
      const refused = toToolResult(err);
      Object.assign(ended, { errorType: 'tool_error', errorCode: refused.code, outcome: 'error' });
      return refused.result;
    };
    let call: CallAudit;
    try {
      // During an outage such a call writes its intent first: refused before it runs, as ever.
      call =
        changesNothing && !ctx.audit.refusing()
          ? wholeCall(ctx.audit, facts)
          : await beginCall(ctx.audit, facts);
    } catch (err) {
      return refuse(err);
    }
    onCall(call.call);
    try {
      await ctx.ready?.();
      const run = (): Promise<ToolResultWithAudit | AskResultWithAudit> =>
        handler(args, extra, {
          call: call.call,
          ...(ctx.caller ? { caller: ctx.caller } : {}),
        });
      const { audit, ...result } = await (ctx.scope ? ctx.scope(extra, run) : run());
      if (isInputRequiredResult(result)) {
        // Nothing ran in this call: it ends by asking the client for input.
        const unrecorded = await call.finish({
          decision: audit?.decision ?? 'deny',
          ...(audit?.rule ? { rule: audit.rule } : {}),
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          outcome: 'input-required',
          ...(audit?.details ? { details: audit.details } : {}),
        });
        if (unrecorded) return refuse(unrecorded);
        Object.assign(ended, { decision: audit?.decision ?? 'deny', outcome: 'input-required' });
        return result;
      }
      const decision = audit?.decision ?? (result.isError ? 'error' : 'allow');
      const outcome = decision === 'deny' ? 'denied' : result.isError ? 'error' : 'ok';
      const unrecorded = await call.finish({
        decision,
        ...(audit?.rule ? { rule: audit.rule } : {}),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        outcome,
        ...(audit?.details ? { details: audit.details } : {}),
      });
      if (unrecorded) return refuse(unrecorded);
      Object.assign(ended, {
        decision,
        outcome,
        ...(result.isError ? { errorType: 'tool_error' } : {}),
        ...(result.isError && audit?.rule ? { errorCode: audit.rule } : {}),
      });
      return result;
    } catch (err) {
      const mapped = toToolResult(err);
      const decision: AuditDecision = DENY_CODES.has(mapped.code) ? 'deny' : 'error';
      const rule =
        err instanceof CommandDeniedError
          ? err.rule
          : err instanceof BastionError
            ? err.code
            : undefined;
      const unrecorded = await call.finish({
        decision,
        ...(rule ? { rule } : {}),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        outcome: decision === 'deny' ? 'denied' : 'error',
        errorCode: mapped.code,
        ...(mapped.ref ? { ref: mapped.ref } : {}),
        ...(mapped.ref ? { details: { error: String((err as Error)?.stack ?? err) } } : {}),
      });
      if (mapped.ref)
        ctx.logger.error({ err, ref: mapped.ref, tool: name }, 'internal error in tool');
      if (unrecorded) return refuse(unrecorded);
      Object.assign(ended, {
        decision,
        outcome: decision === 'deny' ? 'denied' : 'error',
        errorType: 'tool_error',
        errorCode: mapped.code,
      });
      return mapped.result;
    }
  };
  ctx.mcp.registerTool(
    name,
    {
      title: definition.title,
      description: definition.description,
      inputSchema: toolSchemaOf(definition.inputSchema),
      ...(definition.outputSchema ? { outputSchema: toolSchemaOf(definition.outputSchema) } : {}),
      annotations: { title: definition.title, ...definition.annotations },
    },
    callback as never,
  );
  auditRejectedCalls(ctx.mcp, ctx.audit, ctx.server, ctx.caller);
}
