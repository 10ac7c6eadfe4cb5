import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf, type StartedServer } from '../helpers/mcp-client.js';
import {
  makeHistoryDirs,
  makeTree,
  runCli,
  snapshot,
  startFiles,
  writeOld,
  type HistoryDirs,
} from './history-fixture.js';

let dirs: HistoryDirs;
let server: StartedServer;

beforeAll(async () => {
  dirs = makeHistoryDirs();
  server = await startFiles(dirs);
});

afterAll(async () => {
  await server?.close();
  rmSync(dirs.home, { recursive: true, force: true });
  rmSync(dirs.root, { recursive: true, force: true });
});

async function call(name: string, args: Record<string, unknown>) {
  return await server.client.callTool({ name, arguments: args });
}

async function ok(name: string, args: Record<string, unknown>) {
  const result = await call(name, args);
  expect(result.isError, textOf(result)).toBeFalsy();
  return result;
}

interface Listed {
  id: string;
  tool: string;
  call?: string;
  undoes?: string;
  keptBytes: number;
  paths: { path: string; before: string; after: string }[];
  undoable: boolean;
}

async function newestChange(): Promise<Listed> {
  const result = await ok('list_changes', { limit: 1 });
  return (result.structuredContent as { changes: Listed[] }).changes[0]!;
}

async function undoNewest(force = false): Promise<Listed> {
  const change = await newestChange();
  const result = await ok('undo_change', { id: change.id, force });
  return (result.structuredContent as { change: Listed }).change;
}

// Make a fresh folder in the root for one case.
function caseDir(name: string): string {
  const dir = path.join(dirs.root, name);
  mkdirSync(dir);
  return dir;
}

describe('undo of each kind of change, byte for byte', () => {
  it('write_file over an existing file: content, mode and mtime come back; the undo can be undone', async () => {
    const dir = caseDir('write');
    const file = path.join(dir, 'f.bin');
    writeOld(file, Buffer.from([1, 2, 3, 0, 255, 10]), 0o604);
    const before = snapshot(dir);
    await ok('write_file', { path: file, content: 'replaced' });
    const change = await newestChange();
    expect(change).toMatchObject({ tool: 'write_file', keptBytes: 6 });
    expect(change.paths).toEqual([expect.objectContaining({ path: file, before: 'file' })]);
    const after = snapshot(dir);
    const undo = await undoNewest();
    expect(undo.undoes).toBe(change.id);
    expect(snapshot(dir)).toEqual(before);
    // Redo: the undo is a change of its own.
    await undoNewest();
    expect(readFileSync(file, 'utf8')).toBe('replaced');
    expect(snapshot(dir)[''] === after['']).toBe(true);
  });

  it('write_file of a new file keeps nothing but "absent", and its undo removes the file', async () => {
    const dir = caseDir('new');
    const file = path.join(dir, 'n.txt');
    await ok('write_file', { path: file, content: 'new' });
    const change = await newestChange();
    expect(change.keptBytes).toBe(0);
    expect(change.paths[0]).toMatchObject({ before: 'absent', after: 'file' });
    await undoNewest();
    expect(existsSync(file)).toBe(false);
  });

  it('the change is tied to its audit record by the call id', async () => {
    const file = path.join(caseDir('audit'), 'a.txt');
    await ok('write_file', { path: file, content: 'x' });
    const change = await newestChange();
    const records = readFileSync(path.join(dirs.home, 'logs/audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { call?: string; tool: string; details?: { change?: string } });
    const outcome = records.find((r) => r.call === change.call && r.details?.change);
    expect(outcome).toMatchObject({ tool: 'write_file', details: { change: change.id } });
  });

  it('append and edit_file', async () => {
    const dir = caseDir('edit');
    const file = path.join(dir, 'e.txt');
    writeOld(file, 'one\ntwo\r\nthree\n', 0o600);
    const before = snapshot(dir);
    await ok('edit_file', { path: file, edits: [{ oldText: 'two', newText: 'TWO' }] });
    await undoNewest();
    expect(snapshot(dir)).toEqual(before);
    await ok('write_file', { path: file, content: 'more\n', append: true });
    await undoNewest();
    expect(snapshot(dir)).toEqual(before);
  });

  it('delete_path of a file and of a whole nested tree', async () => {
    const dir = caseDir('delete');
    writeOld(path.join(dir, 'single.txt'), 'single\n', 0o444);
    makeTree(path.join(dir, 'tree'));
    const before = snapshot(dir);
    await ok('delete_path', { path: path.join(dir, 'single.txt') });
    await ok('delete_path', { path: path.join(dir, 'tree'), recursive: true });
    expect(existsSync(path.join(dir, 'tree'))).toBe(false);
    await undoNewest();
    const list = (await ok('list_changes', {})).structuredContent as { changes: Listed[] };
    const single = list.changes.find(
      (c) => c.tool === 'delete_path' && c.paths[0]!.path.endsWith('single.txt'),
    )!;
    await ok('undo_change', { id: single.id });
    expect(snapshot(dir)).toEqual(before);
  });

  it('move_file over an existing file (overwrite) and a moved directory', async () => {
    const dir = caseDir('move');
    writeOld(path.join(dir, 'src.txt'), 'source\n', 0o600);
    writeOld(path.join(dir, 'dst.txt'), 'destination that is replaced\n', 0o644);
    makeTree(path.join(dir, 'tree'));
    const before = snapshot(dir);
    const refused = await call('move_file', {
      source: path.join(dir, 'src.txt'),
      destination: path.join(dir, 'dst.txt'),
    });
    expect(refused.isError).toBe(true);
    await ok('move_file', {
      source: path.join(dir, 'src.txt'),
      destination: path.join(dir, 'dst.txt'),
      overwrite: true,
    });
    expect(readFileSync(path.join(dir, 'dst.txt'), 'utf8')).toBe('source\n');
    await undoNewest();
    expect(snapshot(dir)).toEqual(before);
    await ok('move_file', { source: path.join(dir, 'tree'), destination: path.join(dir, 'moved') });
    await undoNewest();
    expect(snapshot(dir)).toEqual(before);
    // Redo the move, then undo again.
    await undoNewest();
    expect(existsSync(path.join(dir, 'moved/a/b/c/deep.txt'))).toBe(true);
    await undoNewest();
    expect(snapshot(dir)).toEqual(before);
  });

  it('copy_file over an existing file, and a copied tree removed', async () => {
    const dir = caseDir('copy');
    writeOld(path.join(dir, 'from.txt'), 'from\n');
    writeOld(path.join(dir, 'to.txt'), 'to, replaced\n', 0o604);
    makeTree(path.join(dir, 'tree'));
    const before = snapshot(dir);
    await ok('copy_file', {
      source: path.join(dir, 'from.txt'),
      destination: path.join(dir, 'to.txt'),
      overwrite: true,
    });
    await undoNewest();
    expect(snapshot(dir)).toEqual(before);
    await ok('copy_file', {
      source: path.join(dir, 'tree'),
      destination: path.join(dir, 'copy'),
      recursive: true,
    });
    await undoNewest();
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('names that are not UTF-8', () => {
  it('a deleted tree holding one comes back with the exact bytes of the name', async () => {
    const dir = caseDir('bytes');
    mkdirSync(path.join(dir, 'weird'));
    const odd = Buffer.concat([Buffer.from(`${dir}/weird/`), Buffer.from([0x66, 0xff, 0xfe])]);
    writeFileSync(odd, 'odd name\n');
    await ok('delete_path', { path: path.join(dir, 'weird'), recursive: true });
    expect(existsSync(path.join(dir, 'weird'))).toBe(false);
    await undoNewest();
    expect(readFileSync(odd, 'utf8')).toBe('odd name\n');
  });
});

describe('changed since', () => {
  it('refuses when a touched file changed since, and restores with force (keeping the later change)', async () => {
    const dir = caseDir('since');
    const file = path.join(dir, 's.txt');
    writeOld(file, 'original\n');
    const original = snapshot(dir);
    await ok('write_file', { path: file, content: 'by the agent\n' });
    const change = await newestChange();
    writeFileSync(file, 'by the person, later\n');
    const refused = await call('undo_change', { id: change.id });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('changed since');
    expect(readFileSync(file, 'utf8')).toBe('by the person, later\n');
    await ok('undo_change', { id: change.id, force: true });
    expect(snapshot(dir)).toEqual(original);
    // The forced undo kept what it replaced: undoing it brings the person's text back.
    await undoNewest();
    expect(readFileSync(file, 'utf8')).toBe('by the person, later\n');
  });
});

describe('the command line', () => {
  it('bastion history lists changes; bastion undo takes back the newest, or a named one with --force', async () => {
    const dir = caseDir('cli');
    const file = path.join(dir, 'c.txt');
    writeOld(file, 'cli original\n');
    await ok('write_file', { path: file, content: 'cli changed\n' });
    const listed = runCli(['history', '--home', dirs.home, '--json', '--root', dir]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Listed);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ tool: 'write_file' });
    const human = runCli(['history', '--home', dirs.home, '--since', '1h']);
    expect(human.stdout).toContain(file);
    expect(human.stdout).toMatch(/file 13 B -> file 12 B/);
    writeFileSync(file, 'edited by hand\n');
    const refused = runCli(['undo', lines[0]!.id, '--home', dirs.home, '--root', dirs.root]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('changed since');
    const forced = runCli([
      'undo',
      lines[0]!.id,
      '--force',
      '--home',
      dirs.home,
      '--root',
      dirs.root,
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('cli original\n');
    // No id: the newest change (the forced undo) is taken back.
    const newest = runCli(['undo', '--home', dirs.home, '--root', dirs.root]);
    expect(newest.code, newest.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('edited by hand\n');
  });
});
