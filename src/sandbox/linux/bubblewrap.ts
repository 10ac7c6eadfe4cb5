import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PathOutsideRootsError } from '../../errors/index.js';
import type { CgroupLayout } from '../cgroup.js';
import { createSandboxCgroup } from '../cgroup.js';
import { SANDBOX_HOME } from '../env.js';
import { ARGS_FD, type LaunchPlan } from '../process-tree.js';
import type { SandboxLimits, SandboxSpec } from '../types.js';
import { buildBwrapArgs, ETC_SECRETS, systemDirArgs } from './bwrap-args.js';
import { DenyMaskCache } from './deny-mask-cache.js';
import { listPrivateEntries, type MaskList } from './deny-masks.js';

// The host paths a bubblewrap launch needs, found once by detectSandbox/createSandbox.
export interface BubblewrapHost {
  bwrapPath: string;
  prlimitPath: string;
  cgroupLayout: CgroupLayout | null;
}

// /etc entries to hide: the named secrets, SSH host keys, and anything not world-readable.
export function systemMasks(): MaskList {
  const masks = listPrivateEntries('/etc');
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

// Plan a bwrap launch: mounts from the spec, deny masks walked now, limits via cgroup+prlimit.
export function planBubblewrap(host: BubblewrapHost) {
  const systemArgs = systemDirArgs();
  const etcMasks = systemMasks();
  const maskCache = new DenyMaskCache();
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
      files: [...etcMasks.files, ...denyMasks.files],
      dirs: [...etcMasks.dirs, ...denyMasks.dirs],
    };
    const cgroup = host.cgroupLayout ? createSandboxCgroup(host.cgroupLayout, limits) : null;
    const { options, command } = buildBwrapArgs(
      {
        spec: { ...spec, cwd },
        limits,
        home: SANDBOX_HOME,
        systemArgs,
        masks,
        prlimitPath: host.prlimitPath,
        rlimitAs: cgroup === null || !cgroup.memory,
      },
      argv,
    );
    // The bwrap process itself gets only PATH; the command's env is set by --clearenv/--setenv.
    return {
      argv: [host.bwrapPath, '--args', String(ARGS_FD), '--', ...command],
      argsFdPayload: options,
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      cgroup,
      leaderIsSupervisor: true,
    };
  };
}
