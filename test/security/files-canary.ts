import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { expect } from 'vitest';
import {
  makeTempDir,
  startInProcess,
  type InProcessOptions,
  type InProcessServer,
} from '../integration/files-harness.js';

// A root with canaries around it: `outside/` and the prefix sibling `root-evil/` hold files whose
// unique secret must never appear in any answer; `root/` holds the agent's files.
export interface CanaryWorld {
  base: string;
  root: string;
  outside: string;
  sibling: string;
  secret: string;
  server: InProcessServer;
  // Snapshot of every file outside the root: name -> content.
  outsideSnapshot(): Record<string, string>;
  // Change the roots this client offers and tell the server (roots/list_changed).
  offerRoots(uris: string[]): Promise<void>;
  close(): Promise<void>;
}

// Options for a canary world; clientRoots makes the client declare MCP roots built from its dirs.
export interface CanaryOptions extends Omit<InProcessOptions, 'roots'> {
  readOnly?: boolean;
  clientRoots?: (dirs: { base: string; root: string; outside: string }) => string[];
}

export async function createCanaryWorld(options: CanaryOptions = {}): Promise<CanaryWorld> {
  const base = makeTempDir('bastion-canary-');
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  const sibling = path.join(base, 'root-evil');
  const secret = `CANARY-${randomUUID()}`;
  for (const dir of [root, outside, sibling]) mkdirSync(dir);
  writeFileSync(path.join(outside, 'secret.txt'), `${secret}\n`);
  writeFileSync(path.join(outside, 'secret.png'), secret);
  writeFileSync(path.join(sibling, 'secret.txt'), `${secret}\n`);
  writeFileSync(path.join(base, 'secret.txt'), `${secret}\n`);
  writeFileSync(path.join(root, 'ok.txt'), 'hello\n');
  mkdirSync(path.join(root, 'narrow'));
  writeFileSync(path.join(root, 'narrow', 'n.txt'), 'n\n');
  let offered = options.clientRoots?.({ base, root, outside }) ?? [];
  const server = await startInProcess({
    ...options,
    ...(options.readOnly ? { readOnlyRoots: [root] } : { roots: [root] }),
    ...(options.clientRoots
      ? {
          capabilities: { roots: { listChanged: true } },
          setup: (client) => {
            client.setRequestHandler('roots/list', () => ({
              roots: offered.map((uri) => ({ uri })),
            }));
          },
        }
      : {}),
  });
  const outsideSnapshot = (): Record<string, string> => {
    const snapshot: Record<string, string> = {};
    for (const dir of [base, outside, sibling]) {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isFile())
          snapshot[path.join(dir, entry.name)] = readFileSync(path.join(dir, entry.name), 'utf8');
      }
    }
    snapshot['(listing)'] = [base, outside, sibling]
      .map((d) => readdirSync(d).sort().join(','))
      .join('|');
    return snapshot;
  };
  return {
    base,
    root,
    outside,
    sibling,
    secret,
    server,
    outsideSnapshot,
    offerRoots: async (uris) => {
      offered = uris;
      // A 2025 client says its roots changed; a 2026-07-28 one has no such notification: the
      // server asks for the roots in each request, so the next request gets the new ones.
      if (server.client.getNegotiatedProtocolVersion() !== '2026-07-28')
        await server.client.sendRootsListChanged();
    },
    close: async () => {
      await server.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

// The secret (and, unless the agent typed it, the outside directory) is absent from everything
// the client received: text, structured content, embedded data.
export function expectNoLeak(world: CanaryWorld, result: CallToolResult, typedPath = ''): void {
  // The agent's own spelling may be echoed back; nothing else may name the outside.
  const all =
    typedPath === ''
      ? JSON.stringify(result)
      : JSON.stringify(result).split(JSON.stringify(typedPath).slice(1, -1)).join('');
  expect(all).not.toContain(world.secret);
  expect(all).not.toContain(Buffer.from(world.secret).toString('base64').slice(0, 40));
  expect(all).not.toContain(world.outside);
  expect(all).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

// Every tool that takes one path, with arguments that make it read or write at that path.
export function pathAttacks(target: string): [string, Record<string, unknown>][] {
  return [
    ['read_text_file', { path: target }],
    ['read_text_file', { path: target, tail: 5 }],
    ['read_text_file', { path: target, head: 5 }],
    ['read_text_file', { path: target, offset: 0, length: 5 }],
    ['read_media_file', { path: target }],
    ['read_multiple_files', { paths: [target] }],
    ['get_file_info', { path: target }],
    ['list_directory', { path: target }],
    ['list_directory_with_sizes', { path: target }],
    ['directory_tree', { path: target }],
    ['search_files', { path: target, pattern: '*' }],
    ['search_file_contents', { path: target, pattern: 'CANARY' }],
    ['write_file', { path: target, content: 'pwned' }],
    ['write_file', { path: target, content: 'pwned', append: true }],
    ['edit_file', { path: target, edits: [{ oldText: 'CANARY', newText: 'pwned' }] }],
    ['edit_file', { path: target, edits: [{ oldText: 'CANARY', newText: 'pwned' }], dryRun: true }],
    ['create_directory', { path: target }],
    ['delete_path', { path: target, recursive: true }],
    ['copy_file', { source: target, destination: 'copied.txt' }],
    ['copy_file', { source: 'ok.txt', destination: target, overwrite: true }],
    ['move_file', { source: target, destination: 'moved.txt' }],
    ['move_file', { source: 'ok.txt', destination: target }],
  ];
}

// Call a tool; protocol-level refusals (bad arguments) count as errors, never as crashes.
export async function attack(
  world: CanaryWorld,
  tool: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return world.server.call(tool, args).catch((err: unknown) => ({
    isError: true,
    content: [{ type: 'text' as const, text: (err as Error).message }],
  }));
}

// A refusal: an error result, or for the batch read every file reported as failed.
export function isRefused(tool: string, result: CallToolResult): boolean {
  if (tool !== 'read_multiple_files' || result.isError) return result.isError === true;
  const files =
    (result.structuredContent as { files?: { ok: boolean }[] } | undefined)?.files ?? [];
  return files.length > 0 && files.every((f) => !f.ok);
}
