import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { ExecPlan } from '../exec/exec-plan.js';
import type { SandboxLimits, SandboxSpec } from '../types.js';
import type { MaskList } from './deny-masks.js';
import { privateDeviceArgs } from './private-devices.js';

// The uid/gid the command sees; mapped to the server's own uid outside (never real root inside).
export const SANDBOX_UID = '1000';
// Host dirs every command needs (programs, libraries, config), always read-only.
export const SYSTEM_DIRS = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/etc',
  '/opt',
] as const;
// Files masked in /etc whatever their mode (secrets and privilege config).
export const ETC_SECRETS = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/shadow-',
  '/etc/gshadow-',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/ssl/private',
] as const;

// Bind args for the system dirs as they exist on this host (merged-/usr symlinks kept as links).
export function systemDirArgs(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    // Security: system dirs are read-only, so a command cannot plant a trojan in /usr/bin.
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  return args;
}

function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

// Directories between a read-write root and a root nested in it (rw/a for rw/a/ro). Security:
// each is bound onto itself so it is a mount point, which rename(2) refuses (EBUSY). Otherwise
// `mv a b` would carry a nested read-only root's content out from under its mount, and the next
// command (or the file tools) could rewrite it at b/ro and move it back.
export function nestedRootPins(roots: readonly { path: string; mode: string }[]): string[] {
  const pins = new Set<string>();
  for (const root of roots) {
    const containers = roots.filter((r) => isWithin(root.path, r.path));
    const inner = containers.sort((a, b) => b.path.length - a.path.length)[0];
    if (inner?.mode !== 'read-write') continue;
    for (let dir = path.dirname(root.path); isWithin(dir, inner.path); dir = path.dirname(dir))
      pins.add(dir);
  }
  return [...pins];
}

// Host-computed inputs of one bwrap command line.
export interface BwrapInput {
  spec: SandboxSpec;
  limits: SandboxLimits;
  home: string;
  systemArgs: readonly string[];
  masks: MaskList;
  prlimitPath: string;
  // Dirs bound onto themselves so rename(2) refuses them (see nestedRootPins), each from the
  // child's fd `childFd`.
  pins?: readonly { path: string; childFd: number }[];
  // RLIMIT_AS is used only when no memory cgroup holds the tree (it breaks some JITs when small).
  rlimitAs: boolean;
  // The child's fd carrying the privilege filter (seccomp-filter.ts), or null where this
  // architecture has none.
  seccompFd: number | null;
  // A root server's own device nodes (private-devices.ts), bound over the host's; null when
  // the server is not root (its user namespace cannot touch the host's nodes).
  deviceDir: string | null;
  // This command's exec rules (exec-plan.ts) and the host path of the guard that applies their
  // Landlock part inside (null: not built, so masks and program dirs only).
  exec?: { plan: ExecPlan; guardPath: string | null };
}

// Where the exec guard (native/exec-guard.c) is bound inside; it runs first, then execs argv.
export const EXEC_GUARD_INSIDE = '/run/bastion/exec-guard';

// The sandbox's own writable tmpfs dirs, where a command can always write a program.
export function scratchDirs(home: string): string[] {
  return ['/tmp', '/var/tmp', '/dev/shm', path.dirname(home)];
}

// The system dirs bound as dirs on this host (merged-/usr links excluded).
export function boundSystemDirs(systemArgs: readonly string[]): string[] {
  const dirs: string[] = [];
  for (let i = 0; i < systemArgs.length; i++)
    if (systemArgs[i] === '--ro-bind' && systemArgs[i + 2] !== undefined)
      dirs.push(systemArgs[i + 2]!);
  return dirs;
}

// Masked programs and, in allowlist mode, program dirs holding only the permitted entries.
function execArgs(plan: ExecPlan, guardPath: string | null): string[] {
  const args: string[] = [];
  // Security: a masked program reads as an unopenable /dev/null: it cannot run, nor be read to
  // make a copy that would run under another name.
  for (const file of plan.masked) args.push('--ro-bind', '/dev/null', file);
  if (plan.programDirs !== undefined) {
    // Security: a program that is not there cannot be run by any spelling, nor loaded by the
    // dynamic loader (`ld.so /usr/bin/x`), which Landlock alone would not stop.
    for (const dir of plan.programDirs.dirs) args.push('--tmpfs', dir);
    for (const entry of plan.programDirs.entries) {
      if (entry.link !== undefined) args.push('--symlink', entry.link, entry.path);
      else args.push('--ro-bind', entry.path, entry.path);
    }
    for (const dir of plan.programDirs.dirs) args.push('--remount-ro', dir);
  }
  if (guardPath !== null) args.push('--ro-bind', guardPath, EXEC_GUARD_INSIDE);
  return args;
}

// argv behind the exec guard: Landlock's execute right limited to the plan's paths.
// `nproc`: RLIMIT_NPROC, set by the guard inside the user namespace (bubblewrap.ts, launchArgv).
export function guardedArgv(
  exec: BwrapInput['exec'],
  argv: readonly string[],
  nproc?: number,
): readonly string[] {
  if (exec === undefined || exec.guardPath === null) return argv;
  return [
    EXEC_GUARD_INSIDE,
    ...(nproc !== undefined ? ['-n', String(nproc)] : []),
    ...exec.plan.executable.flatMap((p) => ['-x', p]),
    '--',
    ...argv,
  ];
}

function maskArgs(masks: MaskList): string[] {
  const args: string[] = [];
  // Security: deny-listed and private files read as an unopenable /dev/null, dirs as an empty
  // read-only tmpfs, so `cat .env` or `ls ~/.ssh` inside a root returns nothing secret.
  for (const dir of masks.dirs) args.push('--tmpfs', dir, '--remount-ro', dir);
  for (const file of masks.files) args.push('--ro-bind', '/dev/null', file);
  return args;
}

function resolvConfArgs(): string[] {
  try {
    const real = realpathSync('/etc/resolv.conf');
    // systemd-resolved keeps the real file under /run, which is otherwise invisible.
    if (real.startsWith('/run/')) return ['--ro-bind', path.dirname(real), path.dirname(real)];
  } catch {
    // No resolv.conf: DNS fails inside, as outside.
  }
  return [];
}

// bwrap's options (sent through --args FD: no ARG_MAX limit, and `ps` inside shows no mount
// list) and the command after `--` (prlimit wrapping argv).
export interface BwrapArgs {
  options: string[];
  command: string[];
}

// Namespaces, mounts, masks and env as bwrap options; limits and argv as the command.
export function buildBwrapArgs(input: BwrapInput, argv: readonly string[]): BwrapArgs {
  const { spec, limits } = input;
  const mb = 1024 * 1024;
  const args: string[] = [
    // Security: new user, pid, ipc, uts, cgroup and net namespaces: no other process of the
    // host is visible or signalable (kill -9 <server pid> hits nothing), no host sockets.
    '--unshare-all',
    '--unshare-user',
    // Security: no nested user namespaces, the usual first step of kernel privilege exploits.
    '--disable-userns',
    ...(spec.network ? ['--share-net'] : []),
    // Security: the sandbox dies with the server, never left running as an orphan.
    '--die-with-parent',
    // Security: new session, so TIOCSTI cannot inject keystrokes into the server's terminal.
    '--new-session',
    // Security: no capabilities at all (bwrap also sets PR_SET_NO_NEW_PRIVS: setuid is inert).
    '--cap-drop',
    'ALL',
    // Security: no setuid/setgid mode and no device node can be created, so a command leaves
    // nothing in a read-write root that runs with the server's uid on the host (root, if the
    // server is root): the seccomp filter of seccomp-filter.ts, on every process inside.
    ...(input.seccompFd !== null ? ['--seccomp', String(input.seccompFd)] : []),
    '--uid',
    SANDBOX_UID,
    '--gid',
    SANDBOX_UID,
    '--hostname',
    'bastion-sandbox',
    '--clearenv',
    ...input.systemArgs,
    ...(spec.network ? resolvConfArgs() : []),
    // Security: fresh /dev (null, zero, tty, urandom...: no disks) and a /proc of our own PID
    // namespace only (no /proc/<server pid>/environ).
    '--dev',
    '/dev',
    ...(input.deviceDir !== null ? privateDeviceArgs(input.deviceDir) : []),
    '--size',
    String(limits.maxMemoryMb * mb),
    '--tmpfs',
    '/dev/shm',
    '--proc',
    '/proc',
    // Security: private, size-capped /tmp and HOME; the host's /tmp, /home, /root, /run, /var,
    // /srv and every other path not bound below simply do not exist inside.
    '--size',
    String(limits.maxMemoryMb * mb),
    '--tmpfs',
    '/tmp',
    '--size',
    String(limits.maxMemoryMb * mb),
    '--tmpfs',
    '/var/tmp',
    '--size',
    String(limits.maxMemoryMb * mb),
    '--tmpfs',
    path.dirname(input.home),
    '--dir',
    input.home,
  ];
  const mounts = [
    ...spec.roots.map((r) => ({
      path: r.path,
      bind: [r.mode === 'read-write' ? '--bind' : '--ro-bind', r.path],
    })),
    // Pinned dirs are bound from descriptors the server opened and verified, never by path.
    ...(input.pins ?? []).map((pin) => ({
      path: pin.path,
      bind: ['--bind-fd', String(pin.childFd)],
    })),
  ].sort((a, b) => a.path.length - b.path.length);
  for (const mount of mounts) {
    // Security: roots at their real paths; read-only roots stay read-only (EROFS on write).
    args.push(...mount.bind, mount.path);
  }
  args.push(...maskArgs(input.masks));
  if (input.exec !== undefined) args.push(...execArgs(input.exec.plan, input.exec.guardPath));
  for (const [key, value] of Object.entries(spec.env)) args.push('--setenv', key, value);
  if (spec.env.HOME === undefined) args.push('--setenv', 'HOME', input.home);
  args.push(
    // Security: all of /proc read-only (incl. /proc/sys): the command keeps uid 0 outside when
    // the server is root, and a writable /proc/sys would let it change host sysctls.
    '--remount-ro',
    '/proc',
    // Security: the sandbox's own root and /dev tmpfs (unsized: half the host RAM) are made
    // read-only, so a command cannot fill memory there; only the size-capped tmpfs and the
    // read-write roots take writes.
    '--remount-ro',
    '/dev',
    '--remount-ro',
    '/',
    '--chdir',
    spec.cwd,
  );
  const command = [
    input.prlimitPath,
    // Security: per-process ceilings set after the user namespace exists, so RLIMIT_NPROC
    // counts only this sandbox's processes when the server is not root.
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.maxFileSizeMb * mb}`,
    // SIGXCPU at the soft limit (a clear message), SIGKILL one second later.
    `--cpu=${limits.maxCpuSeconds}:${limits.maxCpuSeconds + 1}`,
    '--core=0',
    ...(input.rlimitAs ? [`--as=${limits.maxMemoryMb * mb}`] : []),
    '--',
    ...guardedArgv(input.exec, argv),
  ];
  return { options: args, command };
}
