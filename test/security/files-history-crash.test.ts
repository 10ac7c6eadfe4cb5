import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, textOf } from '../helpers/mcp-client.js';
import {
  makeHistoryDirs,
  makeTree,
  snapshot,
  startFiles,
  writeOld,
  type HistoryDirs,
} from '../integration/history-fixture.js';

const ROUNDS = 6;
// Kills land anywhere from before the undo starts to after it ends (a CLI undo of the tree
// below takes a few hundred milliseconds here); every round is checked whatever it hit.
const MAX_KILL_DELAY_MS = 700;
const EXIT_WAIT_MS = 30_000;

let dirs: HistoryDirs;

beforeAll(() => {
  dirs = makeHistoryDirs();
});

afterAll(() => {
  rmSync(dirs.home, { recursive: true, force: true });
  rmSync(dirs.root, { recursive: true, force: true });
});

// Make a change through the real server and return its id.
async function changeThroughServer(tool: string, args: Record<string, unknown>): Promise<string> {
  const server = await startFiles(dirs);
  try {
    const result = await server.client.callTool({ name: tool, arguments: args });
    expect(result.isError, textOf(result)).toBeFalsy();
    const listed = await server.client.callTool({ name: 'list_changes', arguments: { limit: 1 } });
    return (listed.structuredContent as { changes: { id: string }[] }).changes[0]!.id;
  } finally {
    await server.close();
  }
}

// Run `bastion undo <id>` and SIGKILL it after `delayMs` (unless it has ended by then).
async function undoKilledAfter(id: string, delayMs: number): Promise<void> {
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'undo', id, '--home', dirs.home, '--root', dirs.root],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const bound = setTimeout(() => child.kill('SIGKILL'), EXIT_WAIT_MS);
  await exited;
  clearTimeout(timer);
  clearTimeout(bound);
}

// A server start finishes undos a crash interrupted.
async function recoverThroughServer(): Promise<void> {
  const server = await startFiles(dirs);
  await server.close();
}

function bigTree(dir: string): void {
  makeTree(dir);
  mkdirSync(path.join(dir, 'many'));
  for (let i = 0; i < 150; i += 1)
    writeFileSync(path.join(dir, 'many', `f${i}.txt`), `${i}\n`.repeat(800));
  // Whole-second times, as makeTree uses: node sets times through a double of seconds, so a
  // creation time's nanoseconds cannot come back exactly (undo keeps them to the microsecond).
  for (let i = 0; i < 150; i += 1)
    utimesSync(path.join(dir, 'many', `f${i}.txt`), 1_600_000_000, 1_600_000_011);
  utimesSync(path.join(dir, 'many'), 1_600_000_000, 1_600_000_012);
  utimesSync(dir, 1_600_000_000, 1_600_000_013);
}

describe('crash during undo', () => {
  it('[FS-HISTORY-CRASH-01] SIGKILL at random times while undoing a deleted tree leaves the state before or after the undo, at once and after the next start', async () => {
    const cases: {
      dir: string;
      deleted: Record<string, string>;
      restored: Record<string, string>;
    }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const dir = path.join(dirs.root, `tree-${round}`);
      mkdirSync(dir);
      bigTree(path.join(dir, 'tree'));
      const restored = snapshot(dir);
      const id = await changeThroughServer('delete_path', {
        path: path.join(dir, 'tree'),
        recursive: true,
      });
      const deleted = snapshot(dir);
      await undoKilledAfter(id, Math.random() * MAX_KILL_DELAY_MS);
      // Right after the kill, before anything repairs it: one of the two states, nothing between.
      expect([deleted, restored]).toContainEqual(snapshot(dir));
      cases.push({ dir, deleted, restored });
    }
    await recoverThroughServer();
    for (const c of cases) {
      const after = snapshot(c.dir);
      const diff = Object.keys({ ...after, ...c.restored })
        .filter((k) => after[k] !== c.restored[k])
        .map((k) => `${k}: ${after[k]?.slice(0, 40)} vs ${c.restored[k]?.slice(0, 40)}`);
      expect([c.deleted, c.restored], diff.join('\n')).toContainEqual(after);
    }
  });

  it('[FS-HISTORY-CRASH-02] SIGKILL at random times while undoing a move over a file: after the next start, before or after', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const dir = path.join(dirs.root, `move-${round}`);
      mkdirSync(dir);
      writeOld(path.join(dir, 'src.txt'), 'the moved file\n'.repeat(10_000));
      writeOld(path.join(dir, 'dst.txt'), 'the replaced file\n'.repeat(10_000), 0o600);
      const original = snapshot(dir);
      const id = await changeThroughServer('move_file', {
        source: path.join(dir, 'src.txt'),
        destination: path.join(dir, 'dst.txt'),
        overwrite: true,
      });
      const moved = snapshot(dir);
      await undoKilledAfter(id, Math.random() * MAX_KILL_DELAY_MS);
      // Two renames: an undo cut between them is finished from its plan at the next start.
      await recoverThroughServer();
      expect([moved, original]).toContainEqual(snapshot(dir));
    }
  });
});
