import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startServer, textOf } from '../helpers/mcp-client.js';

const SECRET = `shell-client-roots-canary-${process.pid}`;

function world() {
  const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-shroots-')));
  const root = path.join(base, 'root');
  const project = path.join(root, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(root, 'private.txt'), SECRET);
  writeFileSync(path.join(project, 'readme.txt'), 'project file\n');
  return { base, root, project };
}

// MCP roots from the client narrow what the sandbox mounts; they never widen it.
describe('shell server and client MCP roots', () => {
  it('[SH-ROOTS-01] a client root inside the configured root hides the rest of it from commands', async () => {
    const w = world();
    const server = await startServer({
      server: 'shell',
      args: ['--root', w.root, '--home', w.base],
      capabilities: { roots: { listChanged: true } },
      setup: (client) =>
        client.setRequestHandler('roots/list', () => ({
          roots: [{ uri: pathToFileURL(w.project).href, name: 'project' }],
        })),
    });
    try {
      const inside = await server.client.callTool({
        name: 'run_command',
        arguments: { command: 'cat readme.txt', cwd: w.project },
      });
      expect(textOf(inside)).toContain('project file');
      const outside = await server.client.callTool({
        name: 'run_command',
        arguments: {
          command: `cat ${path.join(w.root, 'private.txt')}; cat ../private.txt`,
          cwd: w.project,
        },
      });
      expect(textOf(outside)).not.toContain(SECRET);
      const cwdOutside = await server.client.callTool({
        name: 'run_command',
        arguments: { command: 'cat private.txt', cwd: w.root },
      });
      expect(cwdOutside.isError).toBe(true);
      expect(textOf(cwdOutside)).not.toContain(SECRET);
    } finally {
      await server.close();
    }
  });

  it('[SH-ROOTS-02] a client offering / or a folder outside gets no more than the configured root', async () => {
    const w = world();
    const outsideDir = path.join(w.base, 'outside');
    mkdirSync(outsideDir);
    writeFileSync(path.join(outsideDir, 'secret.txt'), SECRET);
    const server = await startServer({
      server: 'shell',
      args: ['--root', w.project, '--home', w.base],
      capabilities: { roots: {} },
      setup: (client) =>
        client.setRequestHandler('roots/list', () => ({
          roots: [{ uri: 'file:///' }, { uri: pathToFileURL(outsideDir).href }],
        })),
    });
    try {
      const result = await server.client.callTool({
        name: 'run_command',
        arguments: {
          command: `cat ${path.join(outsideDir, 'secret.txt')}; cat ${path.join(w.root, 'private.txt')}`,
        },
      });
      expect(textOf(result)).not.toContain(SECRET);
      const cwdOutside = await server.client.callTool({
        name: 'run_command',
        arguments: { command: 'cat secret.txt', cwd: outsideDir },
      });
      expect(cwdOutside.isError).toBe(true);
      expect(textOf(cwdOutside)).not.toContain(SECRET);
    } finally {
      await server.close();
    }
  });
});
