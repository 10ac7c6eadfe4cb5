import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, textOf, type ProtocolEra } from '../helpers/mcp-client.js';
import { callTool, everything, type ShellTestServer } from './shell-harness.js';

const ERAS: ProtocolEra[] = ['legacy', 'modern'];
const dirs: string[] = [];
function tempRoot(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-era-roots-')));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Client roots narrow the configured roots in both eras: 2025 through roots/list on the
// connection, 2026-07-28 through an input-required roots/list in each request.
describe.each(ERAS)('client roots in the %s era', (era) => {
  // A configured root holding the client's root and, beside it, a canary the client left out.
  function rootsLayout() {
    const root = tempRoot();
    const project = path.join(root, 'project');
    mkdirSync(project);
    const secret = `CANARY-${randomBytes(8).toString('hex')}`;
    const canary = path.join(root, 'canary.txt');
    writeFileSync(canary, `${secret}\n`);
    writeFileSync(path.join(project, 'ok.txt'), 'inside\n');
    const roots = {
      capabilities: { roots: {} },
      setup: (client: ShellTestServer['client']) => {
        client.setRequestHandler('roots/list', () => ({
          roots: [{ uri: pathToFileURL(project).href }],
        }));
      },
    };
    return { root, project, canary, secret, roots };
  }

  it('files: a file outside the client root stays unread', async () => {
    const { root, project, canary, secret, roots } = rootsLayout();
    const server = await startServer({
      server: 'files',
      args: ['--root', root, '--home', tempRoot()],
      era,
      ...roots,
    });
    try {
      const inside = await server.client.callTool({
        name: 'read_text_file',
        arguments: { path: path.join(project, 'ok.txt') },
      });
      expect(textOf(inside)).toContain('inside');
      const outside = await server.client.callTool({
        name: 'read_text_file',
        arguments: { path: canary },
      });
      expect(outside.isError).toBe(true);
      expect(textOf(outside)).not.toContain(secret);
      const listed = await server.client.callTool({
        name: 'list_allowed_directories',
        arguments: {},
      });
      expect(textOf(listed)).toContain(project);
    } finally {
      await server.close();
    }
  });

  it('shell: a command cannot read outside the client root, and a confirmed one runs inside it', async () => {
    const { root, project, canary, secret, roots } = rootsLayout();
    const home = tempRoot();
    const settings = path.join(home, 'settings.json');
    writeFileSync(
      settings,
      JSON.stringify({
        bastion: {
          roots: [{ path: root, mode: 'read-write' }],
          shell: { policy: { mode: 'denylist', deny: [], confirm: ['touch'] } },
        },
      }),
    );
    const server = await startServer({
      server: 'shell',
      args: ['--home', home, '--config', settings],
      era,
      capabilities: { ...roots.capabilities, elicitation: { form: {} } },
      setup: (client) => {
        roots.setup(client);
        client.setRequestHandler('elicitation/create', () => ({
          action: 'accept',
          content: { approve: true },
        }));
      },
    });
    try {
      const read = await callTool(server.client, 'run_command', {
        command: `cat ${canary}`,
        cwd: project,
      });
      expect(everything(read)).not.toContain(secret);
      const marker = path.join(project, 'confirmed-marker');
      const ran = await callTool(server.client, 'run_command', {
        command: `touch ${marker}`,
        cwd: project,
      });
      expect(ran.isError, ran.text).toBe(false);
      expect(existsSync(marker)).toBe(true);
    } finally {
      await server.close();
    }
  });
});
