import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { createFilesService } from '../../src/servers/files/index.js';
import { startServer, textOf } from '../helpers/mcp-client.js';
import { makeTempDir } from '../integration/files-harness.js';
import {
  makeHistoryDirs,
  runCli,
  startFiles,
  type HistoryDirs,
} from '../integration/history-fixture.js';

let dirs: HistoryDirs;

beforeAll(() => {
  dirs = makeHistoryDirs();
});

afterAll(() => {
  rmSync(dirs.home, { recursive: true, force: true });
  rmSync(dirs.root, { recursive: true, force: true });
});

describe('where the history lives', () => {
  it('[FS-HISTORY-ROOT-01] a root containing the history dir is refused at start, for both servers', () => {
    const base = makeTempDir('bastion-hist-overlap-');
    try {
      const home = path.join(base, 'home');
      mkdirSync(home);
      for (const server of ['files', 'shell']) {
        const run = runCli(['serve', server, '--root', base, '--home', home]);
        expect(run.code, server).toBe(2);
        expect(run.stderr, server).toContain(
          'bastion.history.dir: expected a directory outside every root',
        );
      }
      // The home itself as the root: the default <home>/history is inside it.
      const same = runCli(['serve', 'files', '--root', home, '--home', home]);
      expect(same.code).toBe(2);
      // A root inside the history dir is refused as well.
      mkdirSync(path.join(home, 'history/blobs'), { recursive: true });
      const inner = runCli([
        'serve',
        'files',
        '--root',
        path.join(home, 'history/blobs'),
        '--home',
        home,
      ]);
      expect(inner.code).toBe(2);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('[FS-HISTORY-ROOT-01] the kept content is private and out of reach of the file tools', async () => {
    const server = await startFiles(dirs);
    try {
      const file = path.join(dirs.root, 'private.txt');
      writeFileSync(file, 'kept secretly\n');
      await server.client.callTool({ name: 'write_file', arguments: { path: file, content: 'x' } });
      const historyDir = path.join(dirs.home, 'history');
      const listed = runCli(['history', '--home', dirs.home, '--json']);
      expect(listed.stdout).toContain(file);
      const refused = await server.client.callTool({
        name: 'list_directory',
        arguments: { path: historyDir },
      });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('outside the allowed roots');
      expect(statSync(historyDir).mode & 0o777).toBe(0o700);
      const prefixes = readdirSync(path.join(historyDir, 'blobs'));
      const blob = path.join(historyDir, 'blobs', prefixes[0]!);
      expect(statSync(blob).mode & 0o777).toBe(0o700);
      const blobFile = path.join(blob, readdirSync(blob)[0]!);
      expect(statSync(blobFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(blobFile, 'utf8')).toBe('kept secretly\n');
    } finally {
      await server.close();
    }
  });
});

describe('who may undo what', () => {
  it('[FS-HISTORY-SCOPE-01] a change in a root the agent may only read is listed as not undoable and is not undone', async () => {
    const file = path.join(dirs.root, 'scoped.txt');
    writeFileSync(file, 'first\n');
    const writer = await startFiles(dirs);
    let id: string;
    try {
      await writer.client.callTool({
        name: 'write_file',
        arguments: { path: file, content: 'second\n' },
      });
      const listed = await writer.client.callTool({
        name: 'list_changes',
        arguments: { limit: 1 },
      });
      id = (listed.structuredContent as { changes: { id: string }[] }).changes[0]!.id;
    } finally {
      await writer.close();
    }
    const reader = await startServer({
      server: 'files',
      args: ['--read-only-root', dirs.root, '--home', dirs.home],
    });
    try {
      const listed = await reader.client.callTool({ name: 'list_changes', arguments: {} });
      const changes = (listed.structuredContent as { changes: { id: string; undoable: boolean }[] })
        .changes;
      expect(changes.find((c) => c.id === id)).toMatchObject({ undoable: false });
      const refused = await reader.client.callTool({ name: 'undo_change', arguments: { id } });
      expect(refused.isError).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('second\n');
    } finally {
      await reader.close();
    }
    // A server on another root does not even see the change.
    const other = makeTempDir('bastion-hist-other-');
    const stranger = await startServer({
      server: 'files',
      args: ['--root', other, '--home', dirs.home],
    });
    try {
      const listed = await stranger.client.callTool({ name: 'list_changes', arguments: {} });
      expect(JSON.stringify(listed.structuredContent)).not.toContain(id);
      const refused = await stranger.client.callTool({ name: 'undo_change', arguments: { id } });
      expect(refused.isError).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('second\n');
    } finally {
      await stranger.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('[FS-HISTORY-SCOPE-01] a read-only caller gets list_changes but not undo_change', async () => {
    const config = loadConfig({ home: dirs.home, rootFlags: [dirs.root], env: {} });
    const audit = createAuditLog({ dir: path.join(dirs.home, 'logs') });
    const service = createFilesService(config, {
      audit,
      logger: createLogger('history-test', 'silent'),
      ripgrep: null,
    });
    const mcp = service.createServer({ readOnly: true, followClientRoots: false });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'history-test', version: '1.0.0' });
    await mcp.connect(serverSide);
    await client.connect(clientSide);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('list_changes');
      expect(names).not.toContain('undo_change');
      expect(names).not.toContain('write_file');
    } finally {
      await client.close();
      await mcp.close();
      audit.close();
    }
  });
});
