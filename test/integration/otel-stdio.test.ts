import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer } from '../helpers/mcp-client.js';

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

interface ExportedSpan {
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code: number };
  traceId: string;
}

const SPAN_KIND_SERVER = 1;
const STATUS_ERROR = 2;

describe('OpenTelemetry through node --import (the documented way to turn it on)', () => {
  it('the real stdio server exports one span per call to a user-loaded SDK, no argument values', async () => {
    const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-otel-stdio-')));
    homes.push(home);
    const ws = path.join(home, 'ws');
    mkdirSync(ws);
    const secret = 'otel-stdio-canary-5521';
    writeFileSync(path.join(ws, `${secret}.txt`), secret);
    const spans = path.join(home, 'spans.jsonl');
    const setup = path.join(REPO_ROOT, 'test/fixtures/otel-setup.js');
    const server = await startServer({
      server: 'files',
      args: ['--root', ws, '--home', home],
      env: { NODE_OPTIONS: `--import ${setup}`, OTEL_TEST_SPANS_FILE: spans },
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await server.client.callTool({
      name: 'read_text_file',
      arguments: { path: path.join(ws, `${secret}.txt`) },
      _meta: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    await server.client.callTool({ name: 'read_text_file', arguments: { path: '/etc/shadow' } });
    await server.close();
    expect(existsSync(spans)).toBe(true);
    const text = readFileSync(spans, 'utf8');
    const exported = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportedSpan);
    expect(exported.map((s) => s.name)).toEqual([
      'tools/call read_text_file',
      'tools/call read_text_file',
    ]);
    const [ok, denied] = exported as [ExportedSpan, ExportedSpan];
    expect(ok.kind).toBe(SPAN_KIND_SERVER);
    expect(ok.traceId).toBe(traceId);
    expect(ok.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'read_text_file',
      'network.transport': 'pipe',
    });
    expect(denied.status.code).toBe(STATUS_ERROR);
    expect(denied.attributes).toMatchObject({
      'error.type': 'tool_error',
      'bastion.error.code': 'PATH_OUTSIDE_ROOTS',
    });
    expect(text).not.toContain(secret);
    expect(text).not.toContain('/etc/shadow');
  });
});
