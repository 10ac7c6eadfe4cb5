import { randomUUID } from 'node:crypto';
import {
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type McpServer,
} from '@modelcontextprotocol/server';
import { jsonRpcErrorResponse, HTTP_ERROR_CODES } from './json-rpc-error.js';

// One 2025-era session: its transport and server instance live as long as the session, so the
// client's roots and elicitation keep working across requests.
interface LegacySession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  owner: string;
  lastSeen: number;
  inFlight: number;
}

export interface LegacySessionsOptions {
  // A fresh server instance for a new session, for the token that opens it.
  createServer: (owner: string, authInfo: AuthInfo) => McpServer | Promise<McpServer>;
  maxSessions: number;
  idleMs: number;
  maxBodyBytes: number;
  now?: () => number;
  onChange?: (open: number) => void;
}

// The 2025-era leg of an endpoint: sessions keyed by Mcp-Session-Id, each bound to the token
// that opened it, closed by DELETE, expired when idle, and capped in number.
export interface LegacySessions {
  handle(
    request: Request,
    parsedBody: unknown,
    owner: string,
    authInfo: AuthInfo,
  ): Promise<Response>;
  count(): number;
  close(): Promise<void>;
}

// Whether a parsed POST body is (or, as a batch, holds) an initialize request.
function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (m) =>
      typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'initialize',
  );
}

// Builds the legacy leg. The sweep timer is unref'd: it never keeps the process alive.
export function createLegacySessions(options: LegacySessionsOptions): LegacySessions {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, LegacySession>();
  const changed = (): void => options.onChange?.(sessions.size);

  const closeSession = async (id: string): Promise<void> => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    changed();
    await session.server.close().catch(() => undefined);
  };

  const sweep = setInterval(
    () => {
      const cutoff = now() - options.idleMs;
      for (const [id, session] of sessions) {
        if (session.inFlight === 0 && session.lastSeen < cutoff) void closeSession(id);
      }
    },
    Math.max(1000, Math.min(60_000, Math.floor(options.idleMs / 4))),
  );
  sweep.unref();

  const open = async (
    request: Request,
    parsedBody: unknown,
    owner: string,
    authInfo: AuthInfo,
  ): Promise<Response> => {
    // Security: session flooding. Each session holds a server instance; past the cap new ones
    // are refused until idle ones expire, and the sessions already open keep working.
    if (sessions.size >= options.maxSessions) {
      return jsonRpcErrorResponse(
        503,
        `Too many open sessions (at most ${options.maxSessions}); close one or retry later.`,
        {
          'retry-after': '5',
        },
      );
    }
    const server = await options.createServer(owner, authInfo);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: options.maxBodyBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, owner, lastSeen: now(), inFlight: 0 });
        changed();
      },
      onsessionclosed: (id) => closeSession(id),
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request, { parsedBody, authInfo });
    // An initialize that failed (bad version, bad params) opened no session: free the instance.
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) {
      await server.close().catch(() => undefined);
    }
    return response;
  };

  return {
    async handle(request, parsedBody, owner, authInfo) {
      const id = request.headers.get('mcp-session-id');
      if (id === null) {
        if (request.method === 'POST' && isInitialize(parsedBody))
          return open(request, parsedBody, owner, authInfo);
        return jsonRpcErrorResponse(
          400,
          'Bad Request: no Mcp-Session-Id header; send initialize first.',
          {},
          HTTP_ERROR_CODES.invalidRequest,
        );
      }
      const session = sessions.get(id);
      // Security: session hijack. A session answers only the token that opened it; to any other
      // it does not exist, so its id can be neither used nor confirmed.
      if (!session || session.owner !== owner) {
        return jsonRpcErrorResponse(
          404,
          'Session not found: it was closed or expired; initialize again.',
        );
      }
      session.lastSeen = now();
      session.inFlight += 1;
      try {
        return await session.transport.handleRequest(request, { parsedBody, authInfo });
      } finally {
        session.inFlight -= 1;
        session.lastSeen = now();
      }
    },
    count: () => sessions.size,
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
    },
  };
}
