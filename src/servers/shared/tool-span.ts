import {
  context,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import type { ServerContext } from '@modelcontextprotocol/server';
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { McpServer } from '@modelcontextprotocol/server';
import type { AuditCaller } from '../../audit/index.js';

// Through the global API only: a no-op until the user's own OpenTelemetry setup registers a
// tracer provider (Bastion ships no SDK and no exporter). A proxy tracer, so a provider
// registered after this module loaded is still used.
const tracer = trace.getTracer('bastion-mcp');

// What the global provider hands out while nobody registered one (the API's no-op provider).
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

// True while no tracer provider is registered: a span would be a no-op, and building its
// attributes and parent context cost about 7 µs a call. Checked per call, so a provider
// registered later is used from its next call on.
function tracingOff(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegate() === NO_PROVIDER;
}

const NO_SPAN: ToolSpan = { run: (fn) => fn(), setCall() {}, end() {} };

// How one tool call ended, for its span: never an argument or result value (they may hold
// secrets); the error class only.
export interface SpanOutcome {
  // 'tool_error' (a CallToolResult with isError, as the conventions say) or a JSON-RPC code.
  errorType?: string;
  // Bastion's own error code (PATH_OUTSIDE_ROOTS, COMMAND_DENIED, AUDIT_UNAVAILABLE, ...).
  errorCode?: string;
  decision?: string;
  outcome?: string;
}

export interface ToolSpan {
  // Runs `fn` with the span as the active one, so spans the user's instrumentation makes
  // inside the call (fs, http) are its children.
  run<T>(fn: () => Promise<T>): Promise<T>;
  setCall(call: string): void;
  end(outcome: SpanOutcome): void;
}

export interface ToolSpanFacts {
  server: string;
  // The registered tool's name, or undefined for a name the SDK refused (never put in the span
  // name: it is client text of any length, possibly a planted secret).
  tool: string | undefined;
  mcp: McpServer;
  extra: Pick<ServerContext, 'sessionId' | 'mcpReq'>;
  caller?: AuditCaller;
  // When the call began, for a span made after the fact (a call the SDK refused).
  startTime?: number;
}

// The protocol revision of a request: 2026-07-28 requests carry it in their envelope, 2025
// connections negotiated it at initialize.
function protocolVersion(mcp: McpServer, extra: ToolSpanFacts['extra']): string | undefined {
  const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
  const version = envelope?.[PROTOCOL_VERSION_META_KEY];
  if (typeof version === 'string') return version;
  return mcp.server.getNegotiatedProtocolVersion();
}

// One SERVER span per tool call, named and attributed by the OpenTelemetry semantic
// conventions for MCP (open-telemetry/semantic-conventions-genai, docs/gen-ai/mcp.md): name
// `tools/call {gen_ai.tool.name}`, parent from the request's `params._meta` trace context.
export function startToolSpan(facts: ToolSpanFacts): ToolSpan {
  if (tracingOff()) return NO_SPAN;
  const { extra, caller } = facts;
  const http = caller?.transport === 'http';
  const version = protocolVersion(facts.mcp, extra);
  const attributes: Attributes = {
    'mcp.method.name': 'tools/call',
    'gen_ai.operation.name': 'execute_tool',
    'jsonrpc.request.id': String(extra.mcpReq.id),
    'network.transport': http ? 'tcp' : 'pipe',
    'bastion.server': facts.server,
    ...(facts.tool !== undefined ? { 'gen_ai.tool.name': facts.tool } : {}),
    ...(version !== undefined ? { 'mcp.protocol.version': version } : {}),
    ...(extra.sessionId !== undefined ? { 'mcp.session.id': extra.sessionId } : {}),
    ...(http ? { 'network.protocol.name': 'http' } : {}),
    ...(http && caller?.address !== undefined ? { 'client.address': caller.address } : {}),
  };
  const meta = (extra.mcpReq._meta ?? {}) as Record<string, unknown>;
  const parent = propagation.extract(context.active(), meta);
  const span: Span = tracer.startSpan(
    facts.tool !== undefined ? `tools/call ${facts.tool}` : 'tools/call',
    {
      kind: SpanKind.SERVER,
      attributes,
      ...(facts.startTime !== undefined ? { startTime: facts.startTime } : {}),
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(active, fn),
    setCall(call) {
      span.setAttribute('bastion.audit.call', call);
    },
    end(outcome) {
      if (outcome.decision !== undefined) span.setAttribute('bastion.decision', outcome.decision);
      if (outcome.outcome !== undefined) span.setAttribute('bastion.outcome', outcome.outcome);
      if (outcome.errorType !== undefined) {
        span.setAttribute('error.type', outcome.errorType);
        if (/^-?\d+$/.test(outcome.errorType))
          span.setAttribute('rpc.response.status_code', outcome.errorType);
        if (outcome.errorCode !== undefined)
          span.setAttribute('bastion.error.code', outcome.errorCode);
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: outcome.errorCode ?? outcome.errorType,
        });
      }
      span.end();
    },
  };
}
