import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LimitsSchema } from '../../config/index.js';
import { createPathGuard } from '../../policy/paths/index.js';
import { openHistoryStore, type HistoryStore } from '../history-store.js';
import { beginCommand, recoverStagedCommands } from './command-history.js';
import { listLeftovers, markExited, UNAPPLIED_DIR } from './staging.js';

// The apply half of the history of commands, on upper dirs written by hand exactly as overlayfs
// writes them (whiteouts are char devices 0:0), including what a command must never bring back
// to the host even if the sandbox's own filter were bypassed. mknod needs root.
const isRoot = process.getuid?.() === 0;

let base: string;
let root: string;
let store: HistoryStore;

beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-cmd-history-')));
  root = path.join(base, 'root');
  mkdirSync(root);
  store = openHistoryStore({
    enabled: true,
    dir: path.join(base, 'history'),
    maxBytes: 1 << 20,
    maxAgeDays: 7,
  });
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

const guard = () =>
  createPathGuard({
    roots: [{ path: root, mode: 'read-write' }],
    deny: ['**/.env'],
    limits: LimitsSchema.parse({}),
  });

function deps() {
  return { store, guard: guard(), isOpaque: () => false };
}

function mknod(file: string, major: number, minor: number): void {
  const made = spawnSync('mknod', [file, 'c', String(major), String(minor)]);
  if (made.status !== 0) throw new Error(`mknod failed: ${made.stderr.toString()}`);
}

describe.skipIf(!isRoot)('applying a command’s upper dir', () => {
  it('strips setuid/setgid, refuses device nodes, remakes fifos, applies whiteouts, keeps it all', () => {
    writeFileSync(path.join(root, 'gone.txt'), 'old gone');
    mkdirSync(path.join(root, 'sub'));
    writeFileSync(path.join(root, 'sub', 'f.txt'), 'old f');
    const run = beginCommand(deps(), { tool: 'run_command' }, [root]);
    const upper = run.overlays[0]!.upper;
    writeFileSync(path.join(upper, 'suid'), '#!/bin/sh\n');
    chmodSync(path.join(upper, 'suid'), 0o6755);
    mkdirSync(path.join(upper, 'sub'));
    writeFileSync(path.join(upper, 'sub', 'f.txt'), 'new f');
    utimesSync(path.join(upper, 'sub', 'f.txt'), 1_600_000_000, 1_600_000_100);
    mknod(path.join(upper, 'gone.txt'), 0, 0);
    mknod(path.join(upper, 'null-dev'), 1, 3);
    spawnSync('mkfifo', [path.join(upper, 'fifo')]);
    writeFileSync(path.join(upper, '.env'), 'SECRET=1');
    const outcome = run.finish([root]);
    // Security: the mode that reaches the host has no setuid/setgid bit.
    expect(lstatSync(path.join(root, 'suid')).mode & 0o7777).toBe(0o755);
    expect(existsSync(path.join(root, 'null-dev'))).toBe(false);
    expect(lstatSync(path.join(root, 'fifo')).isFIFO()).toBe(true);
    expect(existsSync(path.join(root, 'gone.txt'))).toBe(false);
    expect(readFileSync(path.join(root, 'sub', 'f.txt'), 'utf8')).toBe('new f');
    expect(lstatSync(path.join(root, 'sub', 'f.txt')).mtimeMs).toBe(1_600_000_100_000);
    expect(outcome.notes.join(' ')).toMatch(/Not applied.*null-dev/);
    expect(outcome.notes.join(' ')).toContain('deny rules');
    // The denied path was applied (the command could create it) but is not in the change.
    expect(outcome.change?.entries.map((e) => path.relative(root, e.path)).sort()).toEqual([
      'gone.txt',
      'sub/f.txt',
      'suid',
    ]);
    expect(readdirSync(path.join(base, 'history', 'staging'))).toEqual([]);
    store.undo(guard(), outcome.change!.id, { force: false, origin: { tool: 'undo_change' } });
    expect(readFileSync(path.join(root, 'gone.txt'), 'utf8')).toBe('old gone');
    expect(readFileSync(path.join(root, 'sub', 'f.txt'), 'utf8')).toBe('old f');
    expect(existsSync(path.join(root, 'suid'))).toBe(false);
  });

  it('over the history size limit: applied, not kept, and said so', () => {
    writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(2 << 20, 1));
    const run = beginCommand(deps(), { tool: 'run_command' }, [root]);
    writeFileSync(path.join(run.overlays[0]!.upper, 'big.bin'), 'small now');
    const outcome = run.finish([root]);
    expect(outcome.change).toBeUndefined();
    expect(outcome.notes.join(' ')).toContain('NOT kept for undo');
    expect(readFileSync(path.join(root, 'big.bin'), 'utf8')).toBe('small now');
    expect(store.list()).toEqual([]);
  });

  it('a crash between exit and apply: the next start applies it; a cut-short command is set aside', () => {
    writeOld(path.join(root, 'a.txt'), 'before');
    // An exited command whose server died before applying (as markExited leaves it).
    const exited = beginCommand(deps(), { tool: 'run_command', call: 'c1' }, [root]);
    writeFileSync(path.join(exited.overlays[0]!.upper, 'a.txt'), 'after');
    const leftovers = listLeftovers(store.dir).found;
    const exitedStaging = leftovers[0]!;
    markExited(exitedStaging, { tool: 'run_command', call: 'c1' });
    // A command still running when its server died.
    const cut = beginCommand(deps(), { tool: 'run_command', call: 'c2' }, [root]);
    writeFileSync(path.join(cut.overlays[0]!.upper, 'half.txt'), 'half');
    // Both owned by a process that is gone now.
    const dead = spawnSync('true').pid;
    for (const staging of listLeftovers(store.dir).found) {
      const file = path.join(staging.dir, 'meta.json');
      const meta = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...meta, pid: dead }));
    }
    const report = recoverStagedCommands(deps());
    expect(report.failed).toEqual([]);
    expect(report.applied).toHaveLength(1);
    expect(report.setAside).toHaveLength(1);
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('after');
    expect(existsSync(path.join(root, 'half.txt'))).toBe(false);
    expect(readdirSync(path.join(store.dir, UNAPPLIED_DIR))).toHaveLength(1);
    const change = store.list().find((c) => c.call === 'c1');
    expect(change?.tool).toBe('run_command');
    store.undo(guard(), change!.id, { force: false, origin: { tool: 'undo_change' } });
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('before');
    // Nothing left to recover a second time.
    expect(recoverStagedCommands(deps())).toEqual({ applied: [], setAside: [], failed: [] });
  });
});

function writeOld(file: string, content: string): void {
  writeFileSync(file, content);
  utimesSync(file, 1_600_000_000, 1_600_000_003);
}
