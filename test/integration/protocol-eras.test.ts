import { mkdtempSync, realpathSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, textOf, type ProtocolEra } from '../helpers/mcp-client.js';
import { callTool, makeShellDirs, removeShellDirs, startShell } from './shell-harness.js';

const ERAS: ProtocolEra[] = ['legacy', 'modern'];
const dirs: string[] = [];
function tempRoot(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-era-')));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Both servers over stdio, with a client of each protocol era: the era the connection lands on,
// the tool list (JSON Schema 2020-12), a call, and the calls that need the client's help.
describe.each(ERAS)('stdio in the %s era', (era) => {
  it('files: lands on the era, lists tools and calls one', async () => {
    const root = tempRoot();
    const server = await startServer({
      server: 'files',
      args: ['--root', root, '--home', tempRoot()],
      era,
    });
    try {
      expect(server.client.getProtocolEra()).toBe(era);
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name)).toContain('read_text_file');
      const result = await server.client.callTool({
        name: 'list_allowed_directories',
        arguments: {},
      });
      expect(textOf(result)).toContain(root);
    } finally {
      await server.close();
    }
  });

  it('shell: runs a command, and refuses a confirm rule when the client cannot ask', async () => {
    const dirs = makeShellDirs(() => ({
      shell: { policy: { mode: 'denylist', deny: [], confirm: ['touch'] } },
    }));
    const server = await startShell(dirs, { mode: 'cli', era });
    try {
      expect(server.client.getProtocolEra()).toBe(era);
      const ran = await callTool(server.client, 'run_command', { command: 'echo era-ok' });
      expect(ran.text).toContain('era-ok');
      // `touch` needs the user's confirmation; this client declared no elicitation.
      const marker = path.join(dirs.root, 'confirm-marker');
      const refused = await callTool(server.client, 'run_command', { command: `touch ${marker}` });
      expect(refused.isError).toBe(true);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await server.close();
      removeShellDirs(dirs);
    }
  });

  it('shell: sends progress while a command runs', async () => {
    const root = tempRoot();
    const server = await startServer({
      server: 'shell',
      args: ['--root', root, '--home', tempRoot()],
      era,
    });
    try {
      const progress: number[] = [];
      const result = await server.client.callTool(
        { name: 'run_command', arguments: { command: 'sleep 2.5; echo done' } },
        { onprogress: (p: { progress: number }) => progress.push(p.progress) },
      );
      expect(textOf(result)).toContain('done');
      expect(progress.length).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});
