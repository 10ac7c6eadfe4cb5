import type { Readable, Writable } from 'node:stream';
import type { SandboxCgroup } from './cgroup.js';
import type { Rlimit } from './launcher/index.js';
import type { OverlayMount } from './launcher/protocol.js';

// The child's fd that carries argsFdPayload (NUL-separated), read by `bwrap --args 3`.
export const ARGS_FD = 3;

// What to start: a full argv (already wrapped in bwrap/prlimit), its cwd and its whole env.
export interface LaunchPlan {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  cgroup: SandboxCgroup | null;
  // Options written NUL-separated to fd ARGS_FD of the child (bwrap --args).
  argsFdPayload?: readonly string[];
  // Parent fds handed to the child as fds ARGS_FD+1, ARGS_FD+2, ... (bwrap --bind-fd); closed
  // in the parent once the child has them.
  inheritFds?: readonly number[];
  // Bytes for the child's fds after the inherited ones (ARGS_FD+1+inheritFds.length, ...): each
  // a pipe written whole, then closed (bwrap --seccomp reads its filter to EOF).
  fdPayloads?: readonly Uint8Array[];
  // The leader is bwrap: SIGTERM goes to the processes inside (a grace to clean up), since
  // bwrap's own death SIGKILLs the whole PID namespace at once.
  leaderIsSupervisor: boolean;
  // The same command for the native launcher, which sets `rlimits` itself before exec: argv
  // without the prlimit hop (or with only what must be set inside the user namespace).
  // Absent: the launcher is not used for this plan.
  // argsFdPayload, when set, replaces the plan's options for the launcher (it holds the static
  // mounts itself; see native/launcher.c).
  launcherCommand?: {
    argv: readonly string[];
    rlimits: readonly Rlimit[];
    argsFdPayload?: readonly string[];
    // Mounted by the launcher in the child's own mount namespace; a plan with overlays never
    // falls back to a Node spawn (the roots would be written directly, with no history).
    overlays?: readonly OverlayMount[];
  };
}

// How a tree's leader ended.
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// A started leader, by whichever mechanism: its pipes, its exit, and a signal that reaches it
// (or its process group) only while it is unreaped.
export interface Leader {
  pid: number;
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<ExitStatus>;
  hasExited(): boolean;
  signal(sig: NodeJS.Signals, group: boolean): void;
}
