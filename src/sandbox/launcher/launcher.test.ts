import { existsSync, mkdirSync, mkdtempSync, openSync, rmdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchPlan } from '../launch-plan.js';
import { launchTree } from '../process-tree.js';
import { findLauncher, startLauncher, type Launcher } from './index.js';

// These run the real binary built by `npm run setup` (scripts/build-native.sh).
const binary = findLauncher();
const V2_PARENT = '/sys/fs/cgroup/unified';

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    stream.on('close', () => resolve(text));
  });
}

async function runPlan(plan: LaunchPlan, launcher: Launcher | null) {
  const proc = launchTree(plan, () => undefined, launcher);
  proc.stdin.end('from-stdin');
  const [stdout, stderr, status] = await Promise.all([
    collect(proc.stdout),
    collect(proc.stderr),
    proc.exited,
  ]);
  await proc.kill();
  return { stdout, stderr, ...status };
}

// What the child sees: its fds 0-5, its limits, its cwd and env, its session.
const PROBE = [
  'read line; echo "stdin=$line"',
  'echo "args=$(tr "\\0" "," <&3)"',
  'echo "dir=$(readlink /proc/self/fd/4)"',
  'echo "payload=$(cat <&5)"',
  'echo "fd6=$(readlink /proc/self/fd/6 || echo none)"',
  'echo "fsize=$(ulimit -f) cpu=$(ulimit -t) core=$(ulimit -c)"',
  'echo "cwd=$(pwd) env=$(env | sort | tr "\\n" " ")"',
  'echo "own-session=$([ "$(ps -o sid= -p $$ | tr -d " ")" = "$$" ] && echo yes || echo no)"',
  'echo oops >&2; exit 3',
].join('; ');

describe.skipIf(binary === null)('native launcher', () => {
  let launcher: Launcher;
  let dir: string;

  beforeAll(async () => {
    launcher = await startLauncher(binary as string);
    dir = mkdtempSync(path.join(os.tmpdir(), 'bastion-launcher-'));
  });
  afterAll(() => {
    launcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (overrides: Partial<LaunchPlan> = {}): LaunchPlan => {
    const argv = ['/bin/sh', '-c', PROBE];
    return {
      argv: ['/usr/bin/prlimit', '--fsize=1048576', '--cpu=7:8', '--core=0', '--', ...argv],
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', MARK: 'a b=c' },
      cgroup: null,
      argsFdPayload: ['--one', 'two words'],
      // Opened only when used: launchTree closes the fds it hands over.
      inheritFds: 'inheritFds' in overrides ? overrides.inheritFds : [openSync(dir, 'r')],
      fdPayloads: [Buffer.from('filter-bytes')],
      leaderIsSupervisor: false,
      launcherCommand: {
        argv,
        rlimits: [
          { resource: 'fsize', soft: 1048576, hard: 1048576 },
          { resource: 'cpu', soft: 7, hard: 8 },
          { resource: 'core', soft: 0, hard: 0 },
        ],
      },
      ...overrides,
    };
  };

  // History of commands: the child's own mount namespace covers lower with an overlay, mounted
  // at launch or made ahead (fsmount) and attached; the host's lower and mount table stay as they were.
  it.skipIf(process.getuid?.() !== 0)(
    'stages a child’s writes in an overlay, mounted at launch or made ahead',
    async () => {
      for (const ahead of [false, true]) {
        const base = mkdtempSync(path.join(dir, 'ov-'));
        const [lower, upper, work] = ['lower', 'upper', 'work'].map((n) => path.join(base, n)) as [
          string,
          string,
          string,
        ];
        for (const d of [lower, upper, work]) mkdirSync(d);
        const overlay = { lower, upper, work };
        const prepared = ahead ? launcher.prepareOverlay(overlay) : null;
        if (ahead) expect(prepared).not.toBeNull();
        const argv = ['/bin/sh', '-c', `echo staged > '${lower}/f' && cat '${lower}/f'`];
        const result = await runPlan(
          plan({
            argv,
            inheritFds: [],
            argsFdPayload: undefined,
            fdPayloads: [],
            launcherCommand: {
              argv,
              rlimits: [],
              overlays: [prepared !== null ? { ...overlay, prepared } : overlay],
            },
          }),
          launcher,
        );
        expect(result.stdout).toBe('staged\n');
        expect(existsSync(path.join(lower, 'f'))).toBe(false);
        expect(existsSync(path.join(upper, 'f'))).toBe(true);
        expect(launcher.isOpaque(upper)).toBe(false);
      }
    },
  );

  it('gives the child exactly what a Node spawn gives it: fds, limits, cwd, env, session', async () => {
    const viaLauncher = await runPlan(plan(), launcher);
    const viaNode = await runPlan(plan(), null);
    expect(viaLauncher).toEqual(viaNode);
    expect(viaLauncher.stdout.split('\n')).toEqual([
      'stdin=from-stdin',
      'args=--one,two words,',
      `dir=${dir}`,
      'payload=filter-bytes',
      'fd6=none',
      'fsize=2048 cpu=7 core=0',
      `cwd=${dir} env=MARK=a b=c PATH=/usr/bin:/bin PWD=${dir} `,
      'own-session=yes',
      '',
    ]);
    expect(viaLauncher.stderr).toBe('oops\n');
    expect(viaLauncher.code).toBe(3);
  });

  it('falls back to Node when it cannot start a command, with the same outcome', async () => {
    const missing = { argv: ['/nonexistent/cmd'], rlimits: [] };
    const viaLauncher = await runPlan(
      plan({ argv: ['/nonexistent/cmd'], launcherCommand: missing }),
      launcher,
    );
    const viaNode = await runPlan(plan({ argv: ['/nonexistent/cmd'] }), null);
    expect(viaLauncher).toEqual(viaNode);
    expect(launcher.isAlive()).toBe(true);
  });

  it('hands over the pipes of a command that exits before the server opened them', async () => {
    // The exit is reaped while the server still opens the pipe ends: they must stay open.
    const quick = plan({
      argsFdPayload: undefined,
      inheritFds: undefined,
      fdPayloads: undefined,
      launcherCommand: { argv: ['/bin/true'], rlimits: [] },
    });
    for (let i = 0; i < 100; i += 1) {
      await expect(runPlan(quick, launcher)).resolves.toMatchObject({ code: 0 });
    }
  });

  it('reports a kill by signal and refuses to signal a child it has reaped', async () => {
    const proc = launchTree(
      plan({ launcherCommand: { argv: ['/bin/sleep', '100'], rlimits: [] } }),
      () => undefined,
      launcher,
    );
    expect(launcher.signal(proc.pid, 'SIGKILL', false)).toBe(true);
    await expect(proc.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(launcher.signal(proc.pid, 'SIGKILL', false)).toBe(false);
  });

  it.skipIf(!existsSync(path.join(V2_PARENT, 'cgroup.procs')))(
    'starts the child inside a cgroup v2 directory (clone3 CLONE_INTO_CGROUP)',
    async () => {
      const cg = path.join(V2_PARENT, `bastion-${process.pid}-launcher-test`);
      mkdirSync(cg);
      try {
        const result = await runPlan(
          plan({
            argsFdPayload: undefined,
            inheritFds: undefined,
            fdPayloads: undefined,
            launcherCommand: { argv: ['/bin/cat', '/proc/self/cgroup'], rlimits: [] },
            cgroup: {
              procsFiles: [path.join(cg, 'cgroup.procs')],
              memory: false,
              killAll: () => undefined,
              isEmpty: () => true,
              remove: () => true,
            },
          }),
          launcher,
        );
        expect(result.stdout).toContain(`0::/${path.basename(cg)}\n`);
      } finally {
        rmdirSync(cg);
      }
    },
  );
});
