import { closeSync } from 'node:fs';
import type { LaunchPlan, Leader, ExitStatus } from './launch-plan.js';
import {
  LaunchRefusedError,
  signalName,
  type Launcher,
  type LaunchRequest,
} from './launcher/index.js';

function requestFor(plan: LaunchPlan): LaunchRequest | null {
  const command = plan.launcherCommand;
  if (command === undefined) return null;
  const payload = command.argsFdPayload ?? plan.argsFdPayload;
  // The child's fds 3, 4, ...: exactly the layout the Node spawn gives (see LaunchPlan).
  const fds: LaunchRequest['fds'] = payload
    ? [
        { bytes: Buffer.from(payload.map((a) => `${a}\0`).join(''), 'utf8') },
        ...(plan.inheritFds ?? []).map((serverFd) => ({ serverFd })),
        ...(plan.fdPayloads ?? []).map((bytes) => ({ bytes })),
      ]
    : [];
  return {
    argv: command.argv,
    cwd: plan.cwd,
    env: plan.env,
    cgroupDirs: (plan.cgroup?.procsFiles ?? []).map((f) => f.slice(0, f.lastIndexOf('/'))),
    rlimits: command.rlimits,
    fds,
    ...(command.overlays?.length ? { overlays: command.overlays } : {}),
  };
}

// Start the plan through the launcher, or return null (the caller spawns from Node) when the
// plan has no launcher command, the launcher is gone, or it refused this launch.
export function startWithLauncher(plan: LaunchPlan, launcher: Launcher): Leader | null {
  const req = requestFor(plan);
  if (req === null) return null;
  if (!launcher.isAlive()) {
    if (req.overlays !== undefined)
      throw new Error('the launcher is gone; a command with history needs it');
    return null;
  }
  let done = false;
  let resolveExit: (status: ExitStatus) => void = () => undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    resolveExit = resolve;
  });
  let child;
  try {
    child = launcher.launch(req, (event) => {
      done = true;
      resolveExit({
        code: event.code,
        signal: event.signal === null ? null : signalName(event.signal),
      });
    });
  } catch (err) {
    // A refusal (or a launcher that just died) is retried the reference way, which reports the
    // failure exactly as before (ENOENT, a failed cgroup write, ...).
    // Security (history): a plan with overlays must not run the Node way, writing the roots
    // directly while the caller believes the writes are staged.
    if (req.overlays !== undefined) throw err;
    if (err instanceof LaunchRefusedError || !launcher.isAlive()) return null;
    throw err;
  }
  // The launcher reopened them; the server's copies are no longer needed.
  for (const fd of plan.inheritFds ?? []) closeSync(fd);
  // stdin errors (EPIPE when the command exits without reading) are expected, not fatal.
  child.stdin.on('error', () => undefined);
  const pid = child.pid;
  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    hasExited: () => done,
    // Security: while the leader is unreaped the launcher signals it (never a recycled pid);
    // after, only its process group can be left (background jobs), signalled as before.
    signal: (sig, group) => {
      if (!done && launcher.signal(pid, sig, group)) return;
      if (group) {
        try {
          process.kill(-pid, sig);
        } catch {
          // ESRCH: the group is gone.
        }
      }
    },
  };
}
