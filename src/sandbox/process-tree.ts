import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ARGS_FD, type ExitStatus, type LaunchPlan, type Leader } from './launch-plan.js';
import { startWithLauncher } from './launcher-start.js';
import type { Launcher } from './launcher/index.js';
import type { SandboxedProcess } from './types.js';

// SIGTERM first, SIGKILL after this grace.
export const KILL_GRACE_MS = 500;
// How long to keep retrying to empty and remove a cgroup after SIGKILL.
const REAP_ATTEMPTS = 100;

// The launcher enters the cgroup(s) itself, then execs: no child can be forked outside them.
// Constant script, data only in "$@" (no command string is ever built from input).
const CGROUP_ENTER_SCRIPT =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

export { ARGS_FD, type LaunchPlan } from './launch-plan.js';

function descendantsOf(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // Exited while scanning.
    }
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0 && found.length < 100_000) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone.
  }
}

// The reference start: Node spawns the leader (a shell hop enters the cgroup first).
function startWithNode(plan: LaunchPlan): Leader {
  const argv = plan.cgroup
    ? [
        '/bin/sh',
        '-c',
        CGROUP_ENTER_SCRIPT,
        'bastion-enter-cgroup',
        String(plan.cgroup.procsFiles.length),
        ...plan.cgroup.procsFiles,
        ...plan.argv,
      ]
    : [...plan.argv];
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('expected a non-empty argv, got []');
  const payload = plan.argsFdPayload;
  // Security: argv array, no shell: true; the env is exactly the allowlisted plan.env;
  // detached puts the tree in its own process group so kill() reaches every member.
  let child: ChildProcessWithoutNullStreams;
  try {
    // stdin/stdout/stderr are always pipes; extra entries are the inherited fds.
    child = spawn(file, args, {
      cwd: plan.cwd,
      env: { ...plan.env },
      stdio: payload
        ? [
            'pipe',
            'pipe',
            'pipe',
            'pipe',
            ...(plan.inheritFds ?? []),
            ...(plan.fdPayloads ?? []).map(() => 'pipe' as const),
          ]
        : ['pipe', 'pipe', 'pipe'],
      detached: true,
    }) as ChildProcessWithoutNullStreams;
  } finally {
    for (const fd of plan.inheritFds ?? []) closeSync(fd);
  }
  const argsPipe = payload ? (child.stdio[ARGS_FD] as Writable | null) : null;
  if (payload && argsPipe) {
    argsPipe.on('error', () => undefined);
    argsPipe.end(payload.map((a) => `${a}\0`).join(''));
  }
  const firstPayloadFd = ARGS_FD + 1 + (plan.inheritFds?.length ?? 0);
  (plan.fdPayloads ?? []).forEach((bytes, i) => {
    const pipe = child.stdio[firstPayloadFd + i] as Writable | null;
    pipe?.on('error', () => undefined);
    pipe?.end(bytes);
  });
  let hasExited = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, sig) => {
      hasExited = true;
      resolve({ code, signal: sig });
    });
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  // stdin errors (EPIPE when the command exits without reading) are expected, not fatal.
  child.stdin.on('error', () => undefined);
  const pid = child.pid ?? -1;
  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    hasExited: () => hasExited,
    signal: (sig, group) => {
      if (pid > 0) signal(group ? -pid : pid, sig);
    },
  };
}

// Start a process tree in its own session/process group, killable as a whole: through the
// native launcher when there is one (cheap fork, no exec hops), else spawned from Node.
export function launchTree(
  plan: LaunchPlan,
  onGone: () => void,
  launcher: Launcher | null = null,
): SandboxedProcess {
  if (plan.argv.length === 0) throw new TypeError('expected a non-empty argv, got []');
  if (plan.argsFdPayload?.some((a) => a.includes('\0')))
    throw new TypeError('expected arguments without NUL bytes');
  // Security: fd payloads (the seccomp filter) ride only with the bwrap fd layout; never drop one.
  if (plan.fdPayloads?.length && !plan.argsFdPayload)
    throw new TypeError('expected argsFdPayload alongside fdPayloads');
  const overlaid = plan.launcherCommand?.overlays ?? [];
  // Security (history): overlays are mounted by the launcher only; never run such a plan without.
  if (overlaid.length > 0 && launcher === null)
    throw new Error('expected the launcher for a command with overlays, got none');
  const leader = (launcher && startWithLauncher(plan, launcher)) ?? startWithNode(plan);
  const { pid, exited } = leader;
  let killing: Promise<void> | undefined;
  let reaped = false;

  const reap = async (): Promise<void> => {
    if (reaped) return;
    reaped = true;
    const cg = plan.cgroup;
    if (cg !== null) {
      for (let i = 0; i < REAP_ATTEMPTS; i += 1) {
        cg.killAll();
        if (cg.isEmpty() && cg.remove()) break;
        // The kernel empties a cgroup a moment after its last process is reaped: look again
        // soon (1, 2, 4 ... ms), then every 20 ms.
        await sleep(Math.min(20, 2 ** i));
      }
    }
    onGone();
  };

  const kill = (): Promise<void> => {
    killing ??= (async () => {
      // A bwrap leader that already exited took its PID namespace with it: signalling its old
      // pid could only hit an unrelated process that reused it. The cgroup (if any) is reaped.
      if (pid > 0 && !(plan.leaderIsSupervisor && leader.hasExited())) {
        const extra = descendantsOf(pid);
        if (!plan.leaderIsSupervisor) leader.signal('SIGTERM', true);
        for (const p of extra) signal(p, 'SIGTERM');
        await Promise.race([exited, sleep(KILL_GRACE_MS)]);
        // Security: SIGKILL the whole process group (-pid), not just the leader, plus every
        // descendant seen, so background jobs die too; for bubblewrap the leader's death tears
        // down the PID namespace, which kills setsid/double-forked escapees inside it.
        leader.signal('SIGKILL', true);
        // (Snapshot pids are re-signalled only without a PID namespace, to limit pid-reuse risk.)
        if (!plan.leaderIsSupervisor)
          for (const p of [...extra, ...descendantsOf(pid)]) signal(p, 'SIGKILL');
        plan.cgroup?.killAll();
        await Promise.race([exited, sleep(5_000)]);
      }
      await reap();
    })();
    return killing;
  };

  // A tree whose leader exited on its own still gets its stragglers reaped.
  void exited.then(async () => {
    if (killing === undefined && plan.cgroup !== null) await kill();
    else if (killing === undefined) await reap();
  });

  return {
    pid,
    stdin: leader.stdin,
    stdout: leader.stdout,
    stderr: leader.stderr,
    exited,
    kill,
    overlaid,
  };
}
