import { createSandboxCgroup, type CgroupLayout } from './cgroup.js';
import type { LaunchPlan } from './process-tree.js';
import { launcherRlimits } from './rlimits.js';
import type { SandboxLimits, SandboxSpec } from './types.js';

// Plan an unsandboxed launch (sandbox.enabled=false): no isolation of files, network or PIDs,
// but still the scrubbed env, the rlimits, the cgroup when available and a tree kill.
// No RLIMIT_NPROC here: without a user namespace it counts every process of the server's uid.
export function planNone(prlimitPath: string | null, cgroupLayout: CgroupLayout | null) {
  return (argv: readonly string[], spec: SandboxSpec, limits: SandboxLimits): LaunchPlan => {
    const mb = 1024 * 1024;
    const cgroup = cgroupLayout ? createSandboxCgroup(cgroupLayout, limits) : null;
    const rlimits = prlimitPath
      ? [
          prlimitPath,
          `--fsize=${limits.maxFileSizeMb * mb}`,
          `--cpu=${limits.maxCpuSeconds}:${limits.maxCpuSeconds + 1}`,
          '--core=0',
          ...(cgroup?.memory ? [] : [`--as=${limits.maxMemoryMb * mb}`]),
          '--',
        ]
      : [];
    return {
      argv: [...rlimits, ...argv],
      cwd: spec.cwd,
      env: spec.env,
      cgroup,
      leaderIsSupervisor: false,
      // The launcher sets the same limits itself (only where prlimit exists, as reported).
      launcherCommand: {
        argv,
        rlimits: prlimitPath ? launcherRlimits(limits, !cgroup?.memory) : [],
      },
    };
  };
}
