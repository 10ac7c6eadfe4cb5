#!/usr/bin/env node
// The bench's floor for the files server: the official SDK's (v2) McpServer over stdio with plain `fs`
// calls and nothing else (no path checks, no audit, no output schema). What an MCP files tool
// costs at the least on this machine; Bastion and the official server are measured against it.
// Usage: node bench/bare-files-server.mjs <root> (the root is only used to resolve relative paths).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

const root = path.resolve(process.argv[2] ?? '.');
const at = (p) => path.resolve(root, p);
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const ANNOTATIONS = { readOnlyHint: true, destructiveHint: false, openWorldHint: false };

function buildServer() {
  const server = new McpServer({ name: 'bare-files', version: '1.0.0' });
  server.registerTool(
    'read_text_file',
    {
      description: 'Read a file as UTF-8 text.',
      inputSchema: z.object({ path: z.string() }),
      annotations: ANNOTATIONS,
    },
    async ({ path: p }) => text(await readFile(at(p), 'utf8')),
  );
  server.registerTool(
    'list_directory',
    {
      description: 'List a directory.',
      inputSchema: z.object({ path: z.string() }),
      annotations: ANNOTATIONS,
    },
    async ({ path: p }) => {
      const entries = await readdir(at(p), { withFileTypes: true });
      return text(
        entries.map((e) => `${e.isDirectory() ? '[DIR]' : '[FILE]'} ${e.name}`).join('\n'),
      );
    },
  );
  server.registerTool(
    'write_file',
    {
      description: 'Write a file.',
      inputSchema: z.object({ path: z.string(), content: z.string() }),
      annotations: { ...ANNOTATIONS, readOnlyHint: false, destructiveHint: true },
    },
    async ({ path: p, content }) => {
      await writeFile(at(p), content, 'utf8');
      return text(`Successfully wrote to ${p}`);
    },
  );
  return server;
}
serveStdio(buildServer);
