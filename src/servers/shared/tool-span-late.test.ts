import type { McpServer } from '@modelcontextprotocol/server';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { startToolSpan, type ToolSpanFacts } from './tool-span.js';

// Its own file: the global tracer provider is per process, and this one starts without one.
const facts = {
  server: 'files',
  tool: 'read_text_file',
  mcp: { server: { getNegotiatedProtocolVersion: () => '2025-11-25' } } as unknown as McpServer,
  extra: { mcpReq: { id: 7, _meta: {} } } as unknown as ToolSpanFacts['extra'],
};

describe('tool spans without a tracer provider', () => {
  it('run the call and record nothing, then trace from the first call after one is registered', async () => {
    const idle = startToolSpan(facts);
    expect(await idle.run(() => Promise.resolve('ran'))).toBe('ran');
    idle.end({ outcome: 'ok' });

    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    const traced = startToolSpan(facts);
    expect(await traced.run(() => Promise.resolve('ran'))).toBe('ran');
    traced.end({ outcome: 'ok' });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['tools/call read_text_file']);
    expect(exporter.getFinishedSpans()[0]!.attributes['jsonrpc.request.id']).toBe('7');
  });
});
