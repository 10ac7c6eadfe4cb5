import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../audit/index.js';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../logging/logger.js';
import { createFilesService } from '../files/index.js';

// What a user's OpenTelemetry setup does (Bastion registers nothing itself): a global tracer
// provider and the W3C propagator. Spans go to memory here instead of an exporter.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const SECRET = 'canary-Zq81-content-that-must-not-leave';
const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-otel-')));
const root = path.join(home, 'ws');
const secretPath = path.join(root, 'secret-named-dir-7731', 'notes.txt');
const audit = createAuditLog({ dir: path.join(home, 'logs'), env: {} });
const clients: Client[] = [];

async function connect(caller?: {
  transport: 'http';
  address: string;
  principal: string;
}): Promise<Client> {
  const config = loadConfig({ home, rootFlags: [root], env: {} });
  const service = createFilesService(config, {
    audit,
    logger: createLogger('otel-test', 'silent'),
    ripgrep: null,
  });
  const mcp = service.createServer({
    followClientRoots: false,
    ...(caller ? { caller: { ...caller, era: 'legacy' as const } } : {}),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'otel-test-client', version: '1' });
  await mcp.connect(serverSide);
  await client.connect(clientSide);
  clients.push(client);
  return client;
}

function spansNamed(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name === name);
}

beforeAll(() => {
  mkdirSync(path.dirname(secretPath), { recursive: true });
  writeFileSync(secretPath, SECRET);
});

afterAll(async () => {
  for (const client of clients) await client.close();
  audit.close();
  await provider.shutdown();
  rmSync(home, { recursive: true, force: true });
});

describe('OpenTelemetry spans of tool calls (MCP semantic conventions)', () => {
  it('one SERVER span per call, named `tools/call {tool}`, with the MCP attributes', async () => {
    const client = await connect();
    exporter.reset();
    const result = await client.callTool({
      name: 'read_text_file',
      arguments: { path: secretPath },
    });
    expect(result.isError).toBeFalsy();
    const [span, ...others] = spansNamed('tools/call read_text_file');
    expect(others).toEqual([]);
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'read_text_file',
      'gen_ai.operation.name': 'execute_tool',
      'network.transport': 'pipe',
      'bastion.server': 'files',
      'bastion.decision': 'allow',
      'bastion.outcome': 'ok',
    });
    expect(span!.attributes['mcp.protocol.version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(typeof span!.attributes['jsonrpc.request.id']).toBe('string');
    expect(span!.attributes['error.type']).toBeUndefined();
    // The span names the audit record of the same call.
    expect(span!.attributes['bastion.audit.call']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a refused or failed call: status ERROR, error.type tool_error, the error class', async () => {
    const client = await connect();
    exporter.reset();
    await client.callTool({ name: 'read_text_file', arguments: { path: '/etc/passwd' } });
    await client.callTool({
      name: 'read_text_file',
      arguments: { path: path.join(root, 'absent.txt') },
    });
    const [denied, missing] = spansNamed('tools/call read_text_file');
    for (const span of [denied!, missing!]) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('tool_error');
    }
    expect(denied!.attributes).toMatchObject({
      'bastion.decision': 'deny',
      'bastion.error.code': 'PATH_OUTSIDE_ROOTS',
    });
    expect(missing!.attributes['bastion.decision']).toBe('error');
    expect(typeof missing!.attributes['bastion.error.code']).toBe('string');
  });

  it('calls the SDK refuses get their span too: an unknown tool (name left out), bad arguments', async () => {
    const client = await connect();
    exporter.reset();
    const unknown = `no_such_tool_${SECRET}`;
    await expect(client.callTool({ name: unknown, arguments: {} })).rejects.toThrow();
    await client.callTool({ name: 'read_text_file', arguments: { path: 42 } });
    const [refused] = spansNamed('tools/call');
    expect(refused!.status.code).toBe(SpanStatusCode.ERROR);
    expect(refused!.attributes).toMatchObject({
      'error.type': '-32602',
      'rpc.response.status_code': '-32602',
    });
    expect(refused!.attributes['gen_ai.tool.name']).toBeUndefined();
    const [invalid] = spansNamed('tools/call read_text_file');
    expect(invalid!.attributes['error.type']).toBe('tool_error');
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  it('over HTTP (a hub instance): network.transport tcp, the client address', async () => {
    const client = await connect({ transport: 'http', address: '127.0.0.1', principal: 'ci' });
    exporter.reset();
    await client.callTool({ name: 'list_allowed_directories', arguments: {} });
    const [span] = spansNamed('tools/call list_allowed_directories');
    expect(span!.attributes).toMatchObject({
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
      'client.address': '127.0.0.1',
    });
  });

  it("continues the caller's trace from params._meta (W3C traceparent)", async () => {
    const client = await connect();
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    await client.callTool({
      name: 'list_allowed_directories',
      arguments: {},
      _meta: { traceparent: `00-${traceId}-${parentId}-01` },
    });
    const [span] = spansNamed('tools/call list_allowed_directories');
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe(parentId);
  });

  it('no argument or result value appears in any span (names, attributes, status, events)', async () => {
    const client = await connect();
    exporter.reset();
    await client.callTool({ name: 'read_text_file', arguments: { path: secretPath } });
    await client.callTool({
      name: 'write_file',
      arguments: { path: path.join(root, 'out.txt'), content: SECRET },
    });
    await client.callTool({ name: 'search_files', arguments: { path: root, pattern: SECRET } });
    await expect(client.callTool({ name: `x_${SECRET}`, arguments: {} })).rejects.toThrow();
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBe(4);
    const seen = JSON.stringify(
      spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        status: s.status,
        events: s.events,
      })),
    );
    expect(seen).not.toContain(SECRET);
    expect(seen).not.toContain('secret-named-dir-7731');
    expect(seen).not.toContain(root);
  });
});
