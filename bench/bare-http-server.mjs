#!/usr/bin/env node
// The bench's floor for the hub: the SDK's (v2) McpServer over Streamable HTTP with one
// `read_text_file` tool that calls plain `fs` and nothing else (no tokens, no Host/Origin checks,
// no rate limits, no path checks, no audit). Same HTTP stack as the hub (@hono/node-server) and the
// same routing of the two protocol eras: 2025-era clients get sessionful
// WebStandardStreamableHTTPServerTransport sessions (Mcp-Session-Id, one McpServer per session),
// 2026-07-28 requests go to createMcpHandler(factory, { legacy: 'reject' }), one instance each.
// Usage: node bench/bare-http-server.mjs <root>; prints `bare http: serving <url>/mcp` on stderr.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serve } from '@hono/node-server';
import {
  createMcpHandler,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { z } from 'zod';

const root = path.resolve(process.argv[2] ?? '.');
const ANNOTATIONS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

function buildServer() {
  const server = new McpServer({ name: 'bare-http', version: '1.0.0' });
  server.registerTool(
    'read_text_file',
    {
      description: 'Read a file as UTF-8 text.',
      inputSchema: z.object({ path: z.string() }),
      annotations: ANNOTATIONS,
    },
    async ({ path: p }) => ({
      content: [{ type: 'text', text: await readFile(path.resolve(root, p), 'utf8') }],
    }),
  );
  return server;
}

function jsonError(status, message) {
  return Response.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, { status });
}

const modern = createMcpHandler(() => buildServer(), { legacy: 'reject' });
const sessions = new Map();

// The 2025-era leg: a session per initialize, looked up by Mcp-Session-Id afterwards.
async function handleLegacy(request, parsedBody) {
  const id = request.headers.get('mcp-session-id');
  if (id !== null) {
    const transport = sessions.get(id);
    if (!transport) return jsonError(404, 'Session not found');
    return transport.handleRequest(request, { parsedBody });
  }
  const server = buildServer();
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (sid) => sessions.set(sid, transport),
    onsessionclosed: (sid) => {
      sessions.delete(sid);
      void server.close();
    },
  });
  await server.connect(transport);
  return transport.handleRequest(request, { parsedBody });
}

async function handle(request) {
  if (new URL(request.url).pathname !== '/mcp') return new Response('Not found', { status: 404 });
  // The body is read once and handed to both the era decision and the leg, as the hub does.
  let parsedBody;
  if (request.method === 'POST') {
    try {
      parsedBody = JSON.parse(await request.text());
    } catch {
      return jsonError(400, 'Parse error');
    }
  }
  if (await isLegacyRequest(request, parsedBody)) return handleLegacy(request, parsedBody);
  return modern.fetch(request, parsedBody === undefined ? {} : { parsedBody });
}

const server = serve({ fetch: handle, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stderr.write(`bare http: serving http://127.0.0.1:${info.port}/mcp\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
