import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, textOf, type StartedServer } from '../helpers/mcp-client.js';

// A real full disk: a 1 MiB tmpfs mounted as the root (needs root, as on CI and servers).
const canMount = process.getuid?.() === 0 && process.platform === 'linux';

describe.skipIf(!canMount)('a full disk', () => {
  let base: string;
  let root: string;
  let server: StartedServer;

  beforeAll(async () => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-full-')));
    root = path.join(base, 'small');
    mkdirSync(root);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', root]);
    if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr.toString()}`);
    writeFileSync(path.join(root, 'notes.txt'), 'the original content\n');
    server = await startServer({ server: 'files', args: ['--root', root, '--home', base] });
  });

  afterAll(async () => {
    await server?.close();
    spawnSync('umount', [root]);
    rmSync(base, { recursive: true, force: true });
  });

  it('refuses a write that does not fit, keeping the old file whole and leaving no temp file', async () => {
    const big = 'y'.repeat(2 * 1024 * 1024);
    const result = await server.client.callTool({
      name: 'write_file',
      arguments: { path: path.join(root, 'notes.txt'), content: big },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /Not enough disk space to write "?.*notes\.txt"?; the file was left unchanged/,
    );
    expect(textOf(result)).not.toMatch(/\n\s+at /);
    expect(readFileSync(path.join(root, 'notes.txt'), 'utf8')).toBe('the original content\n');
    expect(readdirSync(root)).toEqual(['notes.txt']);

    const appended = await server.client.callTool({
      name: 'write_file',
      arguments: { path: path.join(root, 'notes.txt'), content: big, append: true },
    });
    expect(appended.isError).toBe(true);
    expect(readFileSync(path.join(root, 'notes.txt'), 'utf8')).toBe('the original content\n');
    expect(readdirSync(root)).toEqual(['notes.txt']);

    // The server is still healthy and the disk usable for a write that fits.
    const small = await server.client.callTool({
      name: 'write_file',
      arguments: { path: path.join(root, 'notes.txt'), content: 'new\n' },
    });
    expect(small.isError).toBeFalsy();
    expect(readFileSync(path.join(root, 'notes.txt'), 'utf8')).toBe('new\n');
  });
});
