import type { Readable, Writable } from 'node:stream';
import type { Root } from '../config/load-config.js';
import type { OverlayMount } from './launcher/protocol.js';

// What a sandboxed command may see: the roots (rw or ro), masked deny globs, its cwd, net, env.
export interface SandboxSpec {
  roots: readonly Root[];
  deny: readonly string[];
  cwd: string;
  network: boolean;
  env: Readonly<Record<string, string>>;
  // Which programs may run, enforced by the kernel at exec (docs/SANDBOX.md, "Exec rules").
  // Absent: every program the sandbox can see.
  programs?: ProgramRules;
  // Read-write roots to cover with an overlay (history of commands, src/history/command-overlay/):
  // the command's writes land in each upper dir and the root is left as it was. Only when
  // Sandbox.overlays.available; a root that cannot be covered safely is left out (see
  // RunResult.overlaid).
  overlays?: readonly OverlayMount[];
}

// allowlist: `only` these (names looked up in the program dirs, absolute files or helper dirs,
// paths relative to each root), never the denied ones; denylist and confirm: every program
// `except` these (names, globs, paths).
export type ProgramRules =
  | { kind: 'only'; allow: readonly string[]; deny: readonly string[] }
  | { kind: 'except'; deny: readonly string[] };

// Per-command resource ceilings (see docs/SANDBOX.md for how each one is enforced).
export interface SandboxLimits {
  maxProcesses: number;
  maxMemoryMb: number;
  maxFileSizeMb: number;
  maxCpuSeconds: number;
}

// A live sandboxed command; kill() ends the WHOLE tree (SIGTERM, then SIGKILL after a grace).
export interface SandboxedProcess {
  pid: number;
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
  // The overlays actually mounted for this process (a subset of spec.overlays).
  overlaid: readonly OverlayMount[];
}

// Output with the head and tail kept and a "[... N bytes omitted ...]" marker in between.
export interface CappedText {
  text: string;
  totalBytes: number;
  truncated: boolean;
}

// The outcome of run(): never throws for a failing, timed-out or cancelled command.
export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: CappedText;
  stderr: CappedText;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  // The command kept writing far past maxOutputBytes and was killed instead of drained forever.
  outputLimitHit: boolean;
  // The overlays actually mounted (a subset of spec.overlays; absent when none was asked).
  overlaid?: readonly OverlayMount[];
}

// Options of one run(); timeoutMs and maxOutputBytes are mandatory by design.
export interface RunOptions {
  timeoutMs: number;
  maxOutputBytes: number;
  stdin?: string;
  signal?: AbortSignal;
  onOutput?: (bytesSoFar: number) => void;
}

// How each limit is enforced on this machine (reported at startup and in docs/SANDBOX.md).
export interface LimitEnforcement {
  processes: 'cgroup' | 'rlimit-nproc' | 'pid-namespace-and-timeout-only' | 'timeout-only';
  memory: 'cgroup' | 'rlimit-as' | 'none';
  fileSize: 'rlimit-fsize' | 'none';
  cpu: 'rlimit-cpu' | 'none';
}

// The one sandbox API the shell server codes against.
export interface Sandbox {
  readonly kind: 'bubblewrap' | 'none';
  readonly enforcement: LimitEnforcement;
  spawn(argv: readonly string[], spec: SandboxSpec, limits: SandboxLimits): SandboxedProcess;
  run(
    argv: readonly string[],
    spec: SandboxSpec,
    limits: SandboxLimits,
    options: RunOptions,
  ): Promise<RunResult>;
  // Kill every live sandbox (server shutdown).
  close(): Promise<void>;
  // Whether commands can run with their read-write roots overlaid (history of commands): it
  // takes a root server (mounting an overlay needs CAP_SYS_ADMIN in the host's mount namespace)
  // and the native launcher, which mounts them and reads the overlay's marks.
  readonly overlays: OverlaySupport;
}

// See Sandbox.overlays; `reason` says why not when unavailable.
export type OverlaySupport =
  | {
      available: true;
      isOpaque: (dir: string) => boolean;
      // Make an overlay ahead (off the command's path); its id, or null (then made at launch).
      prepare: (o: OverlayMount) => number | null;
    }
  | { available: false; reason: string };

// The minimal logger the sandbox needs (pino's Logger satisfies it).
export interface SandboxLogger {
  warn(msg: string): void;
  info(msg: string): void;
}
