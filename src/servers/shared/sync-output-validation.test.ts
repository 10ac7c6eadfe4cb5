import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateToolOutputSynchronously } from './sync-output-validation.js';

// A server with one tool whose structured result is whatever the test hands it, checked or not
// by the synchronous validator; answers are read with a client that does not validate itself.
async function callWith(
  structuredContent: unknown,
  options: { sync: boolean; outputSchema?: z.ZodRawShape },
): Promise<{ isError?: boolean; text: string }> {
  const mcp = new McpServer({ name: 't', version: '1' });
  mcp.registerTool(
    'answer',
    {
      description: 'returns the fixture',
      outputSchema: options.outputSchema ?? {
        entries: z.array(z.object({ name: z.string(), size: z.number().optional() })),
      },
    },
    () => ({ content: [{ type: 'text', text: 'ok' }], structuredContent }) as never,
  );
  if (options.sync) validateToolOutputSynchronously(mcp);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverSide);
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(clientSide);
  // Raw request: the SDK client would validate structuredContent itself and throw.
  const result = await client.request(
    { method: 'tools/call', params: { name: 'answer', arguments: {} } },
    z.object({
      isError: z.boolean().optional(),
      content: z.array(z.object({ text: z.string() })),
    }),
  );
  await client.close();
  await mcp.close();
  return { ...(result.isError ? { isError: true } : {}), text: result.content[0]?.text ?? '' };
}

const GOOD = { entries: [{ name: 'a', size: 1 }, { name: 'b' }] };
const BAD = { entries: [{ name: 'a' }, { name: 7 }] };

describe('validateToolOutputSynchronously', () => {
  it('replaces the SDK check on this server only (the private method still exists)', () => {
    const patched = new McpServer({ name: 'p', version: '1' });
    const other = new McpServer({ name: 'o', version: '1' });
    validateToolOutputSynchronously(patched);
    expect(Object.hasOwn(patched, 'validateToolOutput')).toBe(true);
    expect(Object.hasOwn(other, 'validateToolOutput')).toBe(false);
    expect(typeof (other as unknown as Record<string, unknown>).validateToolOutput).toBe(
      'function',
    );
  });

  it('accepts what the SDK accepts and refuses what it refuses, with the same message', async () => {
    for (const content of [GOOD, BAD, { entries: 'nope' }, {}]) {
      const viaSdk = await callWith(content, { sync: false });
      const viaSync = await callWith(content, { sync: true });
      expect(viaSync).toEqual(viaSdk);
    }
    expect((await callWith(BAD, { sync: true })).isError).toBe(true);
    expect(await callWith(GOOD, { sync: true })).toEqual({ text: 'ok' });
  });

  it('leaves a schema that needs the async parse to the SDK check', async () => {
    const outputSchema = { n: z.number().refine(async (n) => Promise.resolve(n > 0)) };
    for (const content of [{ n: 1 }, { n: -1 }]) {
      const viaSdk = await callWith(content, { sync: false, outputSchema });
      const viaSync = await callWith(content, { sync: true, outputSchema });
      expect(viaSync).toEqual(viaSdk);
    }
    expect((await callWith({ n: -1 }, { sync: true, outputSchema })).isError).toBe(true);
  });
});
