import type { McpServer, CallToolResult, RequestId } from '@modelcontextprotocol/server';
import type { AuditCaller, AuditSink } from '../../audit/index.js';
import { startToolSpan, type ToolSpanFacts } from './tool-span.js';

type RequestHandler = (request: unknown, ctx: { mcpReq: { id: RequestId } }) => Promise<unknown>;

// Per server: the tools/call requests a Bastion tool handler audited itself. Keyed by the
// server instance (a WeakMap, so nothing outlives or crosses servers).
const auditedByServer = new WeakMap<McpServer, Set<RequestId>>();

// Mark a request as audited by its tool handler.
export function markAudited(mcp: McpServer, requestId: RequestId): void {
  auditedByServer.get(mcp)?.add(requestId);
}

// The SDK refuses malformed arguments and unknown tools before any tool handler runs; wrap its
// tools/call handler so those calls get an audit record too (one record per call, always).
export function auditRejectedCalls(
  mcp: McpServer,
  audit: AuditSink,
  server: string,
  caller?: AuditCaller,
): void {
  if (auditedByServer.has(mcp)) return;
  // The SDK keeps handlers in a private map; pinned by the lockfile and covered by a test.
  const handlers = (mcp.server as unknown as { _requestHandlers?: Map<string, RequestHandler> })
    ._requestHandlers;
  const original = handlers?.get('tools/call');
  if (!handlers || !original) return;
  const audited = new Set<RequestId>();
  auditedByServer.set(mcp, audited);
  handlers.set('tools/call', async (request, ctx) => {
    const started = performance.now();
    const startTime = Date.now();
    // The one span of a call no tool handler saw: a known tool's arguments refused (its name is
    // a registered one) or an unknown tool (its name, client text, is left out).
    const spanRejected = (known: boolean, errorType: string): void => {
      const params = (request as { params?: { name?: unknown } }).params;
      const span = startToolSpan({
        server,
        tool: known && typeof params?.name === 'string' ? params.name : undefined,
        mcp,
        extra: ctx as ToolSpanFacts['extra'],
        ...(caller ? { caller } : {}),
        startTime,
      });
      span.end({ decision: 'error', outcome: 'error', errorType, errorCode: 'INVALID_ARGUMENTS' });
    };
    const recordRejected = (message: string): void => {
      const params = (request as { params?: { name?: unknown; arguments?: unknown } }).params;
      audit.record({
        server,
        ...caller,
        tool: typeof params?.name === 'string' ? params.name : '(missing)',
        args: params?.arguments ?? {},
        decision: 'error',
        rule: 'INVALID_ARGUMENTS',
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        outcome: 'error',
        errorCode: 'INVALID_ARGUMENTS',
        details: { message },
      });
    };
    let result: CallToolResult;
    try {
      result = (await original(request, ctx)) as CallToolResult;
    } catch (err) {
      // Params the SDK's request schema refuses (arguments not an object, no name) and unknown
      // tools never reach a tool; they are answered -32602 (the spec's answer to both).
      if (!audited.delete(ctx.mcpReq.id)) {
        const message = err instanceof Error ? err.message : '';
        recordRejected(
          message.startsWith('Tool ')
            ? message.slice(0, 200)
            : 'params refused by the request schema',
        );
        spanRejected(false, '-32602');
      }
      throw err;
    }
    if (!audited.delete(ctx.mcpReq.id)) {
      recordRejected(result.content?.[0]?.type === 'text' ? result.content[0].text : '');
      spanRejected(true, 'tool_error');
    }
    return result;
  });
}
