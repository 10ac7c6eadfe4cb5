import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SandboxUnavailableError } from '../errors/index.js';
import { probeCgroupLayout } from './cgroup.js';
import {
  connectLauncher,
  EXEC_GUARD_BINARY,
  findLauncher,
  type Launcher,
} from './launcher/index.js';
import { planBubblewrap, staticLauncherMounts, systemMasks } from './linux/bubblewrap.js';
import {
  createPrivateDevices,
  hostDevicesWarning,
  type PrivateDevices,
} from './linux/private-devices.js';
import {
  detectSandbox as detectLinux,
  noPrivilegeFilterWarning,
  type DetectOptions,
} from './linux/detect.js';
import { planNone } from './none.js';
import { createSandboxRunner } from './sandbox-runner.js';
import type { LimitEnforcement, OverlaySupport, Sandbox, SandboxLogger } from './types.js';

export type {
  CappedText,
  LimitEnforcement,
  OverlaySupport,
  RunOptions,
  RunResult,
  Sandbox,
  SandboxedProcess,
  SandboxLimits,
  SandboxLogger,
  SandboxSpec,
  ProgramRules,
} from './types.js';
export { buildSandboxEnv, SANDBOX_DEFAULT_PATH, SANDBOX_HOME } from './env.js';
export { capText, OutputCapper } from './output-cap.js';
export { STREAM_DRAIN_MS, waitForStreamsClosed } from './stream-drain.js';
export type { DetectOptions } from './linux/detect.js';
export type { OverlayMount } from './launcher/protocol.js';
export {
  EXEC_GUARD_BINARY,
  findLauncher,
  LAUNCHER_BINARY,
  startLauncher,
} from './launcher/index.js';

// Probe this machine: tries a tiny real bwrap run; on failure says why and how to fix it.
// privilegeFilter is false where no seccomp filter exists for the CPU (callers warn).
export async function detectSandbox(
  options: DetectOptions = {},
): Promise<
  | { ok: true; kind: 'bubblewrap'; detail: string; privilegeFilter: boolean }
  | { ok: false; reason: string; fix: string }
> {
  const result = await detectLinux(options);
  return result.ok
    ? {
        ok: true,
        kind: result.kind,
        detail: result.detail,
        privilegeFilter: result.seccompFilter !== null,
      }
    : result;
}

// Options of createSandbox; bwrapPath/searchPath exist so tests can simulate a missing bwrap.
export interface CreateSandboxOptions extends DetectOptions {
  enabled: boolean;
  logger?: SandboxLogger;
  // false skips the per-command cgroup (tests of the rlimit/PID-namespace fallback).
  useCgroups?: boolean;
  // The native launcher binary (default: the one `npm run setup` builds); null starts every
  // command from Node instead (tests of that fallback).
  launcherBinary?: string | null;
  // The exec guard binary (default: the one `npm run setup` builds); null leaves the exec rules
  // to masks and program dirs (tests of that fallback).
  execGuardBinary?: string | null;
}

// The kernel's Landlock ABI as the guard sees it (0: none), or null when the guard is not built.
export function probeExecGuard(binary: string = EXEC_GUARD_BINARY): { abi: number } | null {
  if (findLauncher(binary) === null) return null;
  try {
    return { abi: Number(execFileSync(binary, ['--abi'], { encoding: 'utf8', timeout: 5000 })) };
  } catch {
    return { abi: 0 };
  }
}

// The guard when it can apply Landlock here; else null, said at every start.
function execGuardOrWarn(binary: string | null | undefined, logger: SandboxLogger | undefined) {
  if (binary === null) return null;
  const probe = probeExecGuard(binary);
  if (probe !== null && probe.abi >= 1) return binary ?? EXEC_GUARD_BINARY;
  logger?.warn(
    `sandbox: ${EXEC_RULES_WEAK_WARNING} (${probe === null ? 'the exec guard is not built: run npm run setup' : 'this kernel has no Landlock (Linux 5.13+ with CONFIG_SECURITY_LANDLOCK and lsm=landlock)'})`,
  );
  return null;
}

export const EXEC_RULES_WEAK_WARNING =
  'exec rules rest on masks and program dirs only: files in the roots and /tmp stay executable whatever bastion.roots[].exec says';

// bubblewrap: cgroup if we have one, else RLIMIT_NPROC (ignored for uid 0), always rlimits.
function enforcementFor(cgroupMemory: boolean, cgroupPids: boolean): LimitEnforcement {
  const isRoot = process.getuid?.() === 0;
  return {
    processes: cgroupPids ? 'cgroup' : !isRoot ? 'rlimit-nproc' : 'pid-namespace-and-timeout-only',
    memory: cgroupMemory ? 'cgroup' : 'rlimit-as',
    fileSize: 'rlimit-fsize',
    cpu: 'rlimit-cpu',
  };
}

// A root server's own /dev nodes; without them (no mknod, no CAP_MKNOD) the host's are bound, and
// a command could change their mode: said at every start and by doctor.
export function preparePrivateDevices(): { devices: PrivateDevices | null; warning?: string } {
  if (process.getuid?.() !== 0) return { devices: null };
  const mknod = ['/usr/bin/mknod', '/bin/mknod'].find((p) => existsSync(p));
  try {
    if (mknod === undefined) throw new Error('mknod (coreutils) was not found');
    return { devices: createPrivateDevices(mknod) };
  } catch (err) {
    return { devices: null, warning: hostDevicesWarning((err as Error).message) };
  }
}

function privateDevicesOrWarn(logger: SandboxLogger | undefined): PrivateDevices | null {
  const { devices, warning } = preparePrivateDevices();
  if (warning !== undefined) logger?.warn(`sandbox: ${warning}`);
  return devices;
}

// Overlays (history of commands) need the launcher, which mounts them, and a root server: an
// unprivileged one cannot mount in the host's mount namespace view its sandboxes start from.
function overlaySupport(launcher: Launcher | null): OverlaySupport {
  if (process.getuid?.() !== 0)
    return {
      available: false,
      reason:
        'the server is not root, and only a root server can mount the overlays that stage a command’s writes',
    };
  if (launcher === null)
    return {
      available: false,
      reason: 'the native launcher is not built or did not start (run npm run setup)',
    };
  return {
    available: true,
    isOpaque: (dir) => launcher.isOpaque(dir),
    prepare: (o) => launcher.prepareOverlay(o),
  };
}

// enabled && available => bubblewrap; enabled && unavailable => SandboxUnavailableError with the
// fix; !enabled => 'none' (no isolation; the caller must print a loud warning).
export async function createSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  const cg =
    options.useCgroups === false
      ? { layout: null, reason: 'disabled by the caller' }
      : process.platform === 'linux'
        ? probeCgroupLayout()
        : { layout: null, reason: 'not Linux' };
  if (cg.layout === null)
    options.logger?.info(`sandbox: no per-sandbox cgroup (${cg.reason}); using rlimits`);
  const memoryCg =
    cg.layout !== null &&
    (cg.layout.version === 1 ? cg.layout.memoryParent !== null : cg.layout.memory);
  if (!options.enabled) {
    const prlimitPath = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p)) ?? null;
    const rlimit = prlimitPath !== null;
    const enforcement: LimitEnforcement = {
      processes: cg.layout !== null ? 'cgroup' : 'timeout-only',
      memory: memoryCg ? 'cgroup' : rlimit ? 'rlimit-as' : 'none',
      fileSize: rlimit ? 'rlimit-fsize' : 'none',
      cpu: rlimit ? 'rlimit-cpu' : 'none',
    };
    const launcher = await connectLauncher(options.launcherBinary, options.logger);
    return createSandboxRunner('none', enforcement, planNone(prlimitPath, cg.layout), launcher);
  }
  const detected = await detectLinux(options);
  if (!detected.ok) {
    throw new SandboxUnavailableError(
      `The OS sandbox is unavailable: ${detected.reason} To fix: ${detected.fix} ` +
        '(Or set bastion.shell.sandbox.enabled=false to run commands WITHOUT isolation.)',
    );
  }
  const enforcement = enforcementFor(memoryCg, cg.layout !== null);
  if (enforcement.processes === 'pid-namespace-and-timeout-only') {
    options.logger?.warn(
      'sandbox: running as root without a writable pids cgroup; the process limit is not enforced (RLIMIT_NPROC does not apply to uid 0). Only the PID namespace and the timeout bound a fork bomb.',
    );
  }
  if (detected.seccompFilter === null)
    options.logger?.warn(`sandbox: ${noPrivilegeFilterWarning(options.arch)}`);
  const privateDevices = privateDevicesOrWarn(options.logger);
  const etcMasks = systemMasks();
  let launcher: Launcher | null = null;
  const plan = planBubblewrap({
    bwrapPath: detected.bwrapPath,
    prlimitPath: detected.prlimitPath,
    cgroupLayout: cg.layout,
    seccompFilter: detected.seccompFilter,
    privateDevices,
    execGuard: execGuardOrWarn(options.execGuardBinary, options.logger),
    etcMasks,
    launcherHasStaticMounts: () => launcher?.staticMounts === true,
  });
  launcher = await connectLauncher(
    options.launcherBinary,
    options.logger,
    staticLauncherMounts(etcMasks, privateDevices),
  );
  return createSandboxRunner('bubblewrap', enforcement, plan, launcher, overlaySupport(launcher));
}
