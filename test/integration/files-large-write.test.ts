import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer, textOf } from '../helpers/mcp-client.js';

// The SDK's stdio transport caps one message at 10 MiB by default; Bastion raises the cap so a
// write up to limits.maxWriteBytes arrives whole instead of closing the connection.
describe('large messages over stdio', () => {
  it('writes a 24 MB file through write_file and stays connected', async () => {
    const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-big-')));
    // The home (and its history) never inside a root.
    const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-big-home-')));
    const server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
    try {
      const content = 'abcdefghij\n'.repeat((24 * 1024 * 1024) / 11);
      const result = await server.client.callTool(
        { name: 'write_file', arguments: { path: path.join(root, 'big.txt'), content } },
        { timeout: 120_000 },
      );
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(readFileSync(path.join(root, 'big.txt'), 'utf8') === content).toBe(true);
      const after = await server.client.callTool({
        name: 'list_allowed_directories',
        arguments: {},
      });
      expect(textOf(after)).toContain(root);
    } finally {
      await server.close();
    }
  });

  it('answers a message over the cap with an error and keeps serving', async () => {
    const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-big-')));
    const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-big-home-')));
    mkdirSync(path.join(home, 'config'));
    const settings = path.join(home, 'config/mcp_settings.json');
    // maxWriteBytes 1 MiB => the message cap is the 10 MiB floor.
    writeFileSync(
      settings,
      JSON.stringify({ bastion: { roots: [{ path: root }], limits: { maxWriteBytes: 1048576 } } }),
    );
    const server = await startServer({
      server: 'files',
      args: ['--config', settings, '--home', home],
    });
    try {
      const content = 'x'.repeat(12 * 1024 * 1024);
      await expect(
        server.client.callTool({
          name: 'write_file',
          arguments: { path: path.join(root, 'huge.txt'), content },
        }),
      ).rejects.toThrow(/Message too large: expected at most 10485760 bytes/);
      expect(existsSync(path.join(root, 'huge.txt'))).toBe(false);
      const after = await server.client.callTool({
        name: 'list_allowed_directories',
        arguments: {},
      });
      expect(textOf(after)).toContain(root);
    } finally {
      await server.close();
    }
  });
});
