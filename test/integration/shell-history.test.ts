import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, textOf, type StartedServer } from '../helpers/mcp-client.js';
import { makeTree, runCli, snapshot, writeOld } from './history-fixture.js';
import {
  callTool,
  makeShellDirs,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from './shell-harness.js';

// Overlays need a root server (docs/DESIGN.md, "History of commands"); elsewhere the result
// says changes are not kept, which the unprivileged case below checks.
const isRoot = process.getuid?.() === 0;

let dirs: ShellTestDirs;
let shell: ShellTestServer;
let files: StartedServer;

beforeAll(async () => {
  // The history of commands is off by default (bastion.history.commands).
  dirs = makeShellDirs(() => ({ history: { commands: true } }));
  shell = await startShell(dirs, { mode: 'cli' });
  // The files server on the same home and settings: the same history, its list and undo tools.
  files = await startServer({
    server: 'files',
    args: ['--home', dirs.home, '--config', dirs.configPath],
  });
});

afterAll(async () => {
  await shell?.close();
  await files?.close();
  removeShellDirs(dirs);
});

interface Listed {
  id: string;
  tool: string;
  call?: string;
  paths: { path: string; before: string; after: string }[];
}

function caseDir(name: string): string {
  const dir = path.join(dirs.root, name);
  mkdirSync(dir);
  return dir;
}

// Run a command in `cwd` and return its change id (the command must succeed).
async function run(command: string, cwd: string): Promise<{ change?: string; text: string }> {
  const res = await callTool(shell.client, 'run_command', { command, cwd });
  expect(res.isError, res.text).toBe(false);
  expect(res.data.exitCode, res.text).toBe(0);
  return {
    ...(typeof res.data.change === 'string' ? { change: res.data.change } : {}),
    text: res.text,
  };
}

async function listed(id: string): Promise<Listed | undefined> {
  const res = await files.client.callTool({ name: 'list_changes', arguments: { limit: 50 } });
  return (res.structuredContent as { changes: Listed[] }).changes.find((c) => c.id === id);
}

async function undo(id: string, force = false) {
  return await files.client.callTool({ name: 'undo_change', arguments: { id, force } });
}

// Staging dirs holding anything: the ones made ahead for the next commands are empty. Used ones
// are removed in the background (the staging pool), so a dir listed may be gone a moment later:
// gone counts as empty.
function stagingLeft(): string[] {
  const dir = path.join(dirs.home, 'history', 'staging');
  const names = (folder: string): string[] => {
    try {
      return readdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  };
  return names(dir).filter((id) =>
    names(path.join(dir, id))
      .filter((name) => name.startsWith('u'))
      .some((upper) => names(path.join(dir, id, upper)).length > 0),
  );
}

describe.skipIf(!isRoot)('history of commands (real sandbox, overlay)', () => {
  it('an overwrite by a command is undone byte for byte, mode and times too', async () => {
    const dir = caseDir('overwrite');
    writeOld(path.join(dir, 'f.bin'), Buffer.from([0, 1, 2, 255, 10]), 0o604);
    const before = snapshot(dir);
    const { change, text } = await run('printf replaced > f.bin', dir);
    expect(readFileSync(path.join(dir, 'f.bin'), 'utf8')).toBe('replaced');
    expect(change, text).toMatch(/^[0-9a-f]{12}$/);
    expect(text).toContain(`change ${change}`);
    const entry = await listed(change!);
    expect(entry).toMatchObject({ tool: 'run_command' });
    expect(entry?.paths).toEqual([
      expect.objectContaining({ path: path.join(dir, 'f.bin'), before: 'file' }),
    ]);
    // Tied to the run_command call's audit record, whose intent was written before it ran.
    const records = shell.auditRecords().filter((r) => r.call === entry?.call);
    expect(records.map((r) => r.phase)).toEqual(['intent', 'outcome']);
    expect(records[1]).toMatchObject({ details: expect.objectContaining({ change }) });
    const res = await undo(change!);
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(snapshot(dir)).toEqual(before);
    expect(stagingLeft()).toEqual([]);
  });

  it('a delete of a file and of a nested tree is undone', async () => {
    const dir = caseDir('delete');
    makeTree(dir);
    const before = snapshot(dir);
    const { change } = await run('rm -rf a empty top.txt', dir);
    expect(readdirSync(dir)).toEqual([]);
    const entry = await listed(change!);
    expect(entry?.paths.map((p) => path.basename(p.path)).sort()).toEqual([
      'a',
      'empty',
      'top.txt',
    ]);
    const res = await undo(change!);
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(snapshot(dir)).toEqual(before);
  });

  it('a tree replaced by a command (rm -rf then mkdir: an opaque dir) comes back whole', async () => {
    const dir = caseDir('replace');
    makeTree(dir);
    const before = snapshot(dir);
    const { change } = await run('rm -rf a && mkdir a && echo fresh > a/only.txt', dir);
    expect(readdirSync(path.join(dir, 'a'))).toEqual(['only.txt']);
    const res = await undo(change!);
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(snapshot(dir)).toEqual(before);
  });

  it('what a command created is removed by the undo', async () => {
    const dir = caseDir('create');
    writeOld(path.join(dir, 'keep.txt'), 'keep');
    const before = snapshot(dir);
    const { change } = await run('echo new > new.txt && mkdir -p n/m && echo deep > n/m/z', dir);
    expect(readFileSync(path.join(dir, 'n/m/z'), 'utf8')).toBe('deep\n');
    const res = await undo(change!);
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(existsSync(path.join(dir, 'new.txt'))).toBe(false);
    expect(existsSync(path.join(dir, 'n'))).toBe(false);
    expect(snapshot(dir)).toEqual(before);
  });

  it('undo refuses when the file changed since, unless forced (CLI bastion undo)', async () => {
    const dir = caseDir('changed');
    writeOld(path.join(dir, 'f.txt'), 'original');
    const { change } = await run('echo by-command > f.txt', dir);
    writeFileSync(path.join(dir, 'f.txt'), 'edited later');
    const refused = runCli(['undo', change!, '--home', dirs.home, '--config', dirs.configPath]);
    expect(refused.code).not.toBe(0);
    expect(readFileSync(path.join(dir, 'f.txt'), 'utf8')).toBe('edited later');
    const forced = runCli([
      'undo',
      change!,
      '--force',
      '--home',
      dirs.home,
      '--config',
      dirs.configPath,
    ]);
    expect(forced.code, forced.stderr + forced.stdout).toBe(0);
    expect(readFileSync(path.join(dir, 'f.txt'), 'utf8')).toBe('original');
  });

  it('a command that changes nothing records nothing and leaves no staging behind', async () => {
    const dir = caseDir('nothing');
    writeOld(path.join(dir, 'f.txt'), 'same');
    const res = await callTool(shell.client, 'run_command', { command: 'cat f.txt', cwd: dir });
    expect(res.data.change).toBeUndefined();
    expect(res.data.historyNotes).toBeUndefined();
    expect(stagingLeft()).toEqual([]);
  });

  it('the tool description tells the agent writes are applied at exit and kept', async () => {
    const { tools } = await shell.client.listTools();
    const description = tools.find((t) => t.name === 'run_command')?.description ?? '';
    expect(description).toContain('applied to the roots when it exits');
    const session = tools.find((t) => t.name === 'start_session')?.description ?? '';
    expect(session).toContain('NOT kept for undo');
  });
});

describe('history of commands switched off (the default)', () => {
  it('says so in run_command’s description, and a command’s write keeps no change', async () => {
    const offDirs = makeShellDirs();
    const off = await startShell(offDirs, { mode: 'cli' });
    try {
      const { tools } = await off.client.listTools();
      const description = tools.find((t) => t.name === 'run_command')?.description ?? '';
      expect(description).toContain('NOT kept for undo (history of commands is off');
      const res = await callTool(off.client, 'run_command', {
        command: 'echo direct > f.txt',
        cwd: offDirs.root,
      });
      expect(res.data.exitCode).toBe(0);
      expect(res.data.change).toBeUndefined();
      expect(readFileSync(path.join(offDirs.root, 'f.txt'), 'utf8')).toBe('direct\n');
      expect(existsSync(path.join(offDirs.home, 'history', 'staging'))).toBe(false);
    } finally {
      await off.close();
      removeShellDirs(offDirs);
    }
  });
});
