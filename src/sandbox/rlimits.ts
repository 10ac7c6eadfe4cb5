import type { Rlimit } from './launcher/index.js';
import type { SandboxLimits } from './types.js';

const MB = 1024 * 1024;

// The per-process ceilings the launcher sets before exec, the same values prlimit gets
// (file size, CPU with SIGXCPU one second before SIGKILL, no core dumps, and the address space
// only when no memory cgroup holds the tree). RLIMIT_NPROC is not here: it must be set inside
// the user namespace to count only the sandbox's processes (see docs/SANDBOX.md).
export function launcherRlimits(limits: SandboxLimits, addressSpace: boolean): Rlimit[] {
  const size = limits.maxFileSizeMb * MB;
  return [
    { resource: 'fsize', soft: size, hard: size },
    { resource: 'cpu', soft: limits.maxCpuSeconds, hard: limits.maxCpuSeconds + 1 },
    { resource: 'core', soft: 0, hard: 0 },
    ...(addressSpace
      ? [{ resource: 'as' as const, soft: limits.maxMemoryMb * MB, hard: limits.maxMemoryMb * MB }]
      : []),
  ];
}
