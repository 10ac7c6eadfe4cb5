import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistoryStore } from '../../src/history/history-store.js';
import { beginCommand } from '../../src/history/command/command-history.js';
import { listLeftovers, markExited } from '../../src/history/command/staging.js';
import { LimitsSchema } from '../../src/config/index.js';
import { createPathGuard } from '../../src/policy/paths/index.js';
import {
  callTool,
  everything,
  makeShellDirs,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from '../integration/shell-harness.js';

// The history of commands stages writes through an overlay mounted by a root server only.
const isRoot = process.getuid?.() === 0;

let dirs: ShellTestDirs;
let shell: ShellTestServer;

beforeAll(async () => {
  // The history of commands is off by default (bastion.history.commands).
  dirs = makeShellDirs(() => ({ history: { commands: true } }));
  shell = await startShell(dirs, { mode: 'cli' });
});

afterAll(async () => {
  await shell?.close();
  removeShellDirs(dirs);
});

async function run(command: string) {
  return await callTool(shell.client, 'run_command', { command, cwd: dirs.root });
}

// Every file below dir. The staging pool makes and removes folders in the background, so a
// folder may vanish between being listed and being read: such a folder holds nothing to find.
function blobFiles(dir: string): string[] {
  const out: string[] = [];
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    let entries;
    try {
      entries = readdirSync(next, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(next, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) out.push(full);
    }
  }
  return out;
}

describe.skipIf(!isRoot)('history of commands: what a command can never reach', () => {
  it('[SH-HISTORY-01] the kept old content, the store and its own staging stay unread and unchanged', async () => {
    // The old content, a secret, is kept in the blob store when a command overwrites it.
    writeFileSync(path.join(dirs.root, 'old.txt'), `${dirs.secret}\n`);
    const first = await run('echo replaced > old.txt');
    expect(first.data.change).toMatch(/^[0-9a-f]{12}$/);
    const historyDir = path.join(dirs.home, 'history');
    const blobs = blobFiles(path.join(historyDir, 'blobs'));
    expect(blobs.some((b) => readFileSync(b, 'utf8').includes(dirs.secret))).toBe(true);
    const marker = path.join(historyDir, 'pwned');
    // Every way in: the blob path itself, the store dir, and this command's own upper dir as
    // the mount table names it (the path is visible there; the dir is not mounted inside).
    const attack = [
      ...blobs.map((b) => `cat '${b}'`),
      `ls -la '${historyDir}' '${path.join(historyDir, 'blobs')}'`,
      `echo x > '${marker}'`,
      `up=$(grep -o 'upperdir=[^,]*' /proc/self/mountinfo | head -1 | cut -d= -f2)`,
      'echo "upper=$up"',
      'ls -la "$up" "$up/.." ; cat "$up/../meta.json"; echo x > "$up/../pwned"',
      'true',
    ].join('; ');
    const res = await run(attack);
    expect(everything(res)).toContain('upper=');
    // Security: the canary is unread, and no marker was written into the store or its staging.
    expect(everything(res)).not.toContain(dirs.secret);
    expect(existsSync(marker)).toBe(false);
    const stagingPwned = blobFiles(historyDir).filter((f) => path.basename(f) === 'pwned');
    expect(stagingPwned).toEqual([]);
    // The kept old content is intact, so the undo still brings back exactly the secret.
    expect(blobs.some((b) => readFileSync(b, 'utf8') === `${dirs.secret}\n`)).toBe(true);
  });

  it('[SH-HISTORY-02] a setuid/setgid file or a device made by a command never reaches the real root', async () => {
    const res = await run(
      'cp /bin/true ./suid; chmod 4755 ./suid; chmod g+s ./suid; chmod 6777 ./suid; mknod ./dev c 1 3; mknod ./wh c 0 0; python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\'sock\')"; [ -S sock ] && echo sock-made-inside; true',
    );
    expect(res.text).toContain('sock-made-inside');
    expect(String(res.data.historyNotes)).toContain('sock');
    const mode = lstatSync(path.join(dirs.root, 'suid')).mode;
    expect(mode & 0o6000).toBe(0);
    expect(existsSync(path.join(dirs.root, 'dev'))).toBe(false);
    expect(existsSync(path.join(dirs.root, 'wh'))).toBe(false);
    // A socket left by a command is refused by the apply, never created on the host.
    expect(existsSync(path.join(dirs.root, 'sock'))).toBe(false);
  });

  it('[SH-HISTORY-03] writes staged by a command whose server died are applied (exited) or set aside (cut short) at the next start, and said so', async () => {
    const store = openHistoryStore({
      enabled: true,
      dir: path.join(dirs.home, 'history'),
      maxBytes: 1 << 30,
      maxAgeDays: 7,
    });
    const guard = createPathGuard({
      roots: [{ path: dirs.root, mode: 'read-write' }],
      deny: [],
      limits: LimitsSchema.parse({}),
    });
    writeFileSync(path.join(dirs.root, 'crash.txt'), 'before');
    const deps = { store, guard, isOpaque: () => false };
    // Exactly what the server leaves when killed after the command's exit, before the apply.
    const exited = beginCommand(deps, { tool: 'run_command', call: 'crash-exited' }, [dirs.root]);
    writeFileSync(path.join(exited.overlays[0]!.upper, 'crash.txt'), 'after');
    // And when killed while the command still ran.
    const cut = beginCommand(deps, { tool: 'run_command', call: 'crash-cut' }, [dirs.root]);
    writeFileSync(path.join(cut.overlays[0]!.upper, 'half.txt'), 'half');
    const ours = [exited, cut].map((run) => path.dirname(run.overlays[0]!.upper));
    const dead = spawnSync('true').pid;
    for (const staging of listLeftovers(store.dir).found.filter((s) => ours.includes(s.dir))) {
      if (staging.dir === ours[0])
        markExited(staging, { tool: 'run_command', call: 'crash-exited' });
      const file = path.join(staging.dir, 'meta.json');
      writeFileSync(file, JSON.stringify({ ...staging.meta, pid: dead }));
    }
    const restarted = await startShell(dirs, { mode: 'cli' });
    try {
      await callTool(restarted.client, 'run_command', { command: 'true', cwd: dirs.root });
      expect(readFileSync(path.join(dirs.root, 'crash.txt'), 'utf8')).toBe('after');
      expect(existsSync(path.join(dirs.root, 'half.txt'))).toBe(false);
      // A 2026-07-28 stdio client first probes on a throw-away server process, which starts, and
      // so recovers, before the one kept: the log lines are then on the probe's stderr. The
      // effects and the audit records below hold in both eras.
      if (restarted.client.getNegotiatedProtocolVersion() !== '2026-07-28') {
        expect(restarted.stderr()).toContain(
          'applied the file changes of commands that had exited',
        );
        expect(restarted.stderr()).toContain('were NOT applied and are kept here');
      }
      expect(readdirSync(path.join(store.dir, 'unapplied'))).toHaveLength(1);
      // Intent before effect: the apply of the earlier command's writes is on record.
      expect(restarted.auditRecords()).toContainEqual(
        expect.objectContaining({ tool: 'apply_staged_command', outcome: 'recovering' }),
      );
      const change = store.list().find((c) => c.call === 'crash-exited');
      expect(change?.tool).toBe('run_command');
    } finally {
      await restarted.close();
    }
  });
});
