import {
  createMcpHandler,
  isJsonContentType,
  isLegacyRequest,
  type AuthInfo,
  type McpServer,
} from '@modelcontextprotocol/server';
import type { Principal } from '../../auth/types.js';
import { jsonRpcErrorResponse, HTTP_ERROR_CODES } from './json-rpc-error.js';
import { createLegacySessions } from './legacy-sessions.js';

// Who a server instance is built for: the verified token, the client's address and the era.
export interface EndpointCaller {
  principal: Principal;
  address: string;
  era: 'modern' | 'legacy';
  // A 2026-07-28 tools/call: the tool it calls (raw, from the body), so the instance built for
  // that one request may register that tool alone. Absent for every other request.
  tool?: string;
}

export interface McpEndpointOptions {
  // Builds one server instance: per request for the 2026-07-28 era, per session for 2025.
  createServer: (caller: EndpointCaller) => McpServer | Promise<McpServer>;
  maxBodyBytes: number;
  maxSessions: number;
  sessionIdleMs: number;
  onSessionsChange?: (open: number) => void;
  onError?: (error: Error) => void;
}

// One MCP server at one path, serving both eras: stateless 2026-07-28 requests through the
// SDK's per-request handler, 2025-era requests through Mcp-Session-Id sessions.
export interface McpEndpoint {
  handle(request: Request, principal: Principal, address: string): Promise<Response>;
  sessionCount(): number;
  close(): Promise<void>;
}

// The caller rides to the factory in authInfo.extra; the token secret itself never does.
function authInfoFor(principal: Principal, address: string, tool?: string): AuthInfo {
  return {
    token: '',
    clientId: principal.tokenName,
    scopes: [...principal.servers],
    extra: { principal, address, ...(tool !== undefined ? { tool } : {}) },
  };
}

function callerFrom(authInfo: AuthInfo | undefined, era: 'modern' | 'legacy'): EndpointCaller {
  const extra = authInfo?.extra as
    { principal: Principal; address: string; tool?: string } | undefined;
  if (!extra) throw new Error('internal: an MCP request reached the endpoint without a principal');
  return {
    principal: extra.principal,
    address: extra.address,
    era,
    ...(era === 'modern' && extra.tool !== undefined ? { tool: extra.tool } : {}),
  };
}

// The tool a single tools/call message names, or undefined for anything else.
function calledTool(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as { method?: unknown; params?: { name?: unknown } };
  if (message.method !== 'tools/call') return undefined;
  return typeof message.params?.name === 'string' ? message.params.name : undefined;
}

// Reads a POST body as JSON once, for both the era decision and the leg that serves it.
async function readJsonBody(
  request: Request,
): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return {
      ok: false,
      response: jsonRpcErrorResponse(
        415,
        'Unsupported Media Type: send Content-Type: application/json.',
      ),
    };
  }
  const text = await request.text();
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return {
      ok: false,
      response: jsonRpcErrorResponse(
        400,
        'Parse error: the body is not valid JSON.',
        {},
        HTTP_ERROR_CODES.parse,
      ),
    };
  }
}

// Builds the endpoint for one server.
export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const modern = createMcpHandler(
    (ctx) => options.createServer(callerFrom(ctx.authInfo, 'modern')),
    {
      legacy: 'reject',
      maxRequestBodySize: options.maxBodyBytes,
      ...(options.onError ? { onerror: options.onError } : {}),
    },
  );
  const legacy = createLegacySessions({
    createServer: (_owner, authInfo) => options.createServer(callerFrom(authInfo, 'legacy')),
    maxSessions: options.maxSessions,
    idleMs: options.sessionIdleMs,
    maxBodyBytes: options.maxBodyBytes,
    ...(options.onSessionsChange ? { onChange: options.onSessionsChange } : {}),
  });

  return {
    async handle(request, principal, address) {
      const authInfo = authInfoFor(principal, address);
      let parsedBody: unknown;
      if (request.method === 'POST') {
        const read = await readJsonBody(request);
        if (!read.ok) return read.response;
        parsedBody = read.body;
      }
      const isLegacy = await isLegacyRequest(request, parsedBody, {
        maxRequestBodySize: options.maxBodyBytes,
      });
      if (isLegacy) return legacy.handle(request, parsedBody, principal.tokenName, authInfo);
      return modern.fetch(request, {
        authInfo: authInfoFor(principal, address, calledTool(parsedBody)),
        ...(parsedBody === undefined ? {} : { parsedBody }),
      });
    },
    sessionCount: () => legacy.count(),
    async close() {
      await Promise.all([legacy.close(), modern.close()]);
    },
  };
}
