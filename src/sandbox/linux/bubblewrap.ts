import { closeSync, constants, lstatSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { PathOutsideRootsError, SandboxUnavailableError } from '../../errors/index.js';
import type { CgroupLayout } from '../cgroup.js';
import { createSandboxCgroup } from '../cgroup.js';
import { SANDBOX_HOME } from '../env.js';
import { ARGS_FD, type LaunchPlan } from '../process-tree.js';
import { launcherRlimits } from '../rlimits.js';
import type { SandboxLimits, SandboxSpec } from '../types.js';
import { planExec } from '../exec/exec-plan.js';
import {
  boundSystemDirs,
  buildBwrapArgs,
  ETC_SECRETS,
  guardedArgv,
  nestedRootPins,
  scratchDirs,
  systemDirArgs,
} from './bwrap-args.js';
import { DenyMaskCache } from './deny-mask-cache.js';
import { privateDeviceLauncherArgs, type PrivateDevices } from './private-devices.js';
import { listPrivateEntries, maskPins, MAX_MASKS, type MaskList } from './deny-masks.js';

// The host paths a bubblewrap launch needs, found once by detectSandbox/createSandbox.
export interface BubblewrapHost {
  bwrapPath: string;
  prlimitPath: string;
  cgroupLayout: CgroupLayout | null;
  // The privilege filter for bwrap --seccomp (seccomp-filter.ts); null only on an architecture
  // without one, which createSandbox reports at start.
  seccompFilter: Buffer | null;
  // A root server's own device nodes (private-devices.ts); null when not root.
  privateDevices: PrivateDevices | null;
  // The exec guard binary (native/exec-guard.c) when it is built and the kernel has Landlock;
  // null: exec rules rest on masks and program dirs only (warned at start).
  execGuard: string | null;
  // The masks of systemMasks(), found once.
  etcMasks: MaskList;
  // True once the launcher holds staticLauncherMounts(host) in its own mount namespace: plans
  // sent through it then leave those out (each costs bwrap a mount per command).
  launcherHasStaticMounts: () => boolean;
}

// A root server's mounts shared by every sandbox (system masks, its own device nodes), as
// launcher options; empty when not root (the launcher cannot mount then).
export function staticLauncherMounts(
  etcMasks: MaskList,
  privateDevices: PrivateDevices | null,
): string[] {
  if (process.getuid?.() !== 0) return [];
  return [
    ...etcMasks.files.flatMap((file) => ['-m', file]),
    ...etcMasks.dirs.flatMap((dir) => ['-t', dir]),
    ...(privateDevices ? privateDeviceLauncherArgs(privateDevices.dir) : []),
  ];
}

// System dirs scanned for entries that are not world-readable. Security: a server running as
// root maps the sandbox uid to root, so a root-only file (0600) there would be readable inside;
// /opt holds app installs and their secrets. /usr (packaged, 100k+ entries) is not walked.
export const PRIVATE_SCAN_DIRS = ['/etc', '/opt'] as const;

// System entries to hide: the named secrets, SSH host keys, and anything not world-readable.
export function systemMasks(): MaskList {
  const masks: MaskList = { files: [], dirs: [] };
  for (const dir of PRIVATE_SCAN_DIRS) {
    const found = listPrivateEntries(dir);
    masks.files.push(...found.files);
    masks.dirs.push(...found.dirs);
  }
  const known = new Set([...masks.files, ...masks.dirs]);
  let sshKeys: string[] = [];
  try {
    sshKeys = readdirSync('/etc/ssh')
      .filter((n) => n.endsWith('_key'))
      .map((n) => path.join('/etc/ssh', n));
  } catch {
    // No /etc/ssh.
  }
  for (const p of [...ETC_SECRETS, ...sshKeys]) {
    if (known.has(p)) continue;
    try {
      const isDir = readdirSync(p, { withFileTypes: true }) !== undefined;
      if (isDir) masks.dirs.push(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') masks.files.push(p);
    }
  }
  return masks;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// Open each dir to pin (O_NOFOLLOW) and prove through /proc/self/fd that it is that very dir, so
// bwrap binds what was checked even if a concurrent command swaps a path for a link.
function openPins(dirs: readonly string[]): number[] {
  if (dirs.length > MAX_MASKS) {
    throw new SandboxUnavailableError(
      `More than ${MAX_MASKS} directories hold deny-listed entries; narrow the roots or the patterns.`,
    );
  }
  const fds: number[] = [];
  try {
    for (const dir of dirs) {
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      fds.push(fd);
      if (readlinkSync(`/proc/self/fd/${fd}`) !== dir) {
        throw new PathOutsideRootsError(
          'A directory changed while the sandbox was set up. Try again.',
        );
      }
    }
    return fds;
  } catch (err) {
    for (const fd of fds) closeSync(fd);
    throw err;
  }
}

// What bwrap runs under the launcher. RLIMIT_NPROC must be set inside the user namespace (for a
// non-root server; the kernel ignores it for root): by the exec guard when there is one, else by
// prlimit, one exec hop more.
function launchArgv(
  exec: Parameters<typeof guardedArgv>[0],
  argv: readonly string[],
  isRoot: boolean,
  prlimitPath: string,
  nproc: number,
): readonly string[] {
  if (isRoot) return guardedArgv(exec, argv);
  if (exec !== undefined && exec.guardPath !== null) return guardedArgv(exec, argv, nproc);
  return [prlimitPath, `--nproc=${nproc}`, '--', ...argv];
}

// The system masks found at start that still exist. One that is gone (a temporary file of
// passwd or a package manager in /etc) needs no mask, and bwrap cannot mount over a missing path
// in the read-only /etc: it would refuse every later command until the server restarts.
function stillThere(paths: readonly string[]): string[] {
  return paths.filter((p) => lstatSync(p, { throwIfNoEntry: false }) !== undefined);
}

// Plan a bwrap launch: mounts from the spec, deny masks walked now, limits via cgroup+prlimit.
export function planBubblewrap(host: BubblewrapHost) {
  const systemArgs = systemDirArgs();
  const { etcMasks } = host;
  const maskCache = new DenyMaskCache();
  const isRoot = process.getuid?.() === 0;
  return (argv: readonly string[], spec: SandboxSpec, limits: SandboxLimits): LaunchPlan => {
    const cwd = path.resolve(spec.cwd);
    // Security: the working directory must be inside a root, or it would not exist inside.
    if (!spec.roots.some((r) => isInside(cwd, r.path))) {
      throw new PathOutsideRootsError('The working directory is outside every allowed root.');
    }
    const denyMasks = maskCache.compute(
      spec.roots.map((r) => r.path),
      spec.deny,
    );
    const masks: MaskList = {
      files: [...stillThere(etcMasks.files), ...denyMasks.files],
      dirs: [...stillThere(etcMasks.dirs), ...denyMasks.dirs],
    };
    const pinDirs = [
      ...new Set([...nestedRootPins(spec.roots), ...maskPins(denyMasks, spec.roots, spec.deny)]),
    ];
    host.privateDevices?.repair();
    const exec =
      spec.programs === undefined
        ? undefined
        : {
            plan: planExec(spec.programs, {
              systemDirs: boundSystemDirs(systemArgs),
              scratchDirs: scratchDirs(SANDBOX_HOME),
              roots: spec.roots,
              launchHops: [host.prlimitPath],
            }),
            guardPath: host.execGuard,
          };
    // A root with a pinned dir inside is not overlaid: the pin binds the host's dir itself (a
    // descriptor opened and verified by the server), which the overlay cannot cover, and binding
    // it by path instead would let a link swapped in reach outside the root. Its writes go to the
    // root directly, and the caller says they are not kept (RunResult.overlaid). An overlay made
    // ahead for such a root stays unused in the launcher (bounded: past 256 the launcher refuses
    // to make more, and overlays are then mounted at launch instead).
    const overlays = (spec.overlays ?? [])
      .filter(
        (o) =>
          spec.roots.some((r) => r.path === o.lower && r.mode === 'read-write') &&
          !pinDirs.some((pin) => isInside(pin, o.lower)),
      )
      .sort((a, b) => a.lower.length - b.lower.length);
    const pinFds = openPins(pinDirs);
    let cgroup;
    try {
      cgroup = host.cgroupLayout ? createSandboxCgroup(host.cgroupLayout, limits) : null;
    } catch (err) {
      for (const fd of pinFds) closeSync(fd);
      throw err;
    }
    const input = {
      spec: { ...spec, cwd },
      limits,
      home: SANDBOX_HOME,
      systemArgs,
      masks,
      pins: pinDirs.map((dir, i) => ({ path: dir, childFd: ARGS_FD + 1 + i })),
      prlimitPath: host.prlimitPath,
      rlimitAs: cgroup === null || !cgroup.memory,
      // The filter's pipe comes right after the pinned dirs' fds.
      seccompFd: host.seccompFilter ? ARGS_FD + 1 + pinFds.length : null,
      deviceDir: host.privateDevices?.dir ?? null,
      ...(exec !== undefined ? { exec } : {}),
    };
    const { options, command } = buildBwrapArgs(input, argv);
    // Through a launcher holding the static mounts, bwrap's recursive binds of /etc and /dev
    // carry them: only this command's own masks are sent.
    const launcherOptions =
      isRoot && host.launcherHasStaticMounts()
        ? buildBwrapArgs({ ...input, masks: denyMasks, deviceDir: null }, argv).options
        : undefined;
    // The bwrap process itself gets only PATH; the command's env is set by --clearenv/--setenv.
    return {
      argv: [host.bwrapPath, '--args', String(ARGS_FD), '--', ...command],
      argsFdPayload: options,
      inheritFds: pinFds,
      fdPayloads: host.seccompFilter ? [host.seccompFilter] : [],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      cgroup,
      leaderIsSupervisor: true,
      // Through the launcher: it sets the rlimits before exec, so prlimit is needed inside only
      // for RLIMIT_NPROC, which counts the sandbox's own processes only when set inside the user
      // namespace, and which the kernel ignores for a root server anyway.
      launcherCommand: {
        argv: [
          host.bwrapPath,
          '--args',
          String(ARGS_FD),
          '--',
          ...launchArgv(exec, argv, isRoot, host.prlimitPath, limits.maxProcesses),
        ],
        rlimits: launcherRlimits(limits, cgroup === null || !cgroup.memory),
        ...(launcherOptions !== undefined ? { argsFdPayload: launcherOptions } : {}),
        ...(overlays.length > 0 ? { overlays } : {}),
      },
    };
  };
}
