import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { isProcessGone } from './process-gone.js';

const CGROUP_FS = '/sys/fs/cgroup';

// Where per-sandbox cgroups are created: cgroup v1 (separate pids/memory hierarchies) or v2.
export type CgroupLayout =
  | { version: 1; pidsParent: string; memoryParent: string | null }
  | { version: 2; parent: string; memory: boolean };

// One sandbox's cgroup(s): a hard ceiling on processes (and memory) for the whole tree.
export interface SandboxCgroup {
  // Files the launcher writes its own pid into before exec, so no child escapes the limit.
  readonly procsFiles: readonly string[];
  readonly memory: boolean;
  killAll(): void;
  isEmpty(): boolean;
  remove(): boolean;
}

function ownCgroupPaths(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, cgPath] = line.split(':');
    if (controllers === undefined || cgPath === undefined) continue;
    for (const c of controllers.split(',')) map.set(c, cgPath);
  }
  return map;
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// Find a hierarchy where this process may create child cgroups with a pids limit, or null.
export function probeCgroupLayout(): { layout: CgroupLayout } | { layout: null; reason: string } {
  try {
    if (process.platform !== 'linux') return { layout: null, reason: 'not Linux' };
    const own = ownCgroupPaths();
    const pidsPath = own.get('pids');
    if (pidsPath !== undefined && existsSync(path.join(CGROUP_FS, 'pids'))) {
      const memPath = own.get('memory');
      const layout: CgroupLayout = {
        version: 1,
        pidsParent: path.join(CGROUP_FS, 'pids', pidsPath),
        memoryParent: memPath !== undefined ? path.join(CGROUP_FS, 'memory', memPath) : null,
      };
      return tryLayout(layout);
    }
    const v2Path = own.get('');
    if (v2Path !== undefined && existsSync(path.join(CGROUP_FS, 'cgroup.controllers'))) {
      const parent = path.join(CGROUP_FS, v2Path);
      const enabled = readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8');
      if (!enabled.includes('pids')) {
        // Fails with EBUSY when our cgroup holds processes (v2 "no internal processes" rule).
        writeFileSync(path.join(parent, 'cgroup.subtree_control'), '+pids +memory');
      }
      const now = readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8');
      return tryLayout({ version: 2, parent, memory: now.includes('memory') });
    }
    return { layout: null, reason: 'no pids cgroup controller available to this process' };
  } catch (err) {
    return {
      layout: null,
      reason: `cgroups not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    };
  }
}

// Cgroups younger than this may belong to a command another server is starting right now.
const STALE_CGROUP_MS = 60_000;
const NAME_PREFIX = 'bastion-';

// The server that made a per-command cgroup, from its name (`bastion-<server pid>-<uuid>`).
function ownerPid(name: string): number | undefined {
  const match = /^bastion-(\d+)-/.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

// Clean up after servers that died without reaping their sandboxes (SIGKILL, a crash, or a
// kill in the instant before bubblewrap's --die-with-parent took hold): every process left in a
// cgroup whose owning server is gone is killed, and empty old cgroups are removed.
export function sweepStaleCgroups(layout: CgroupLayout): void {
  const parents = layout.version === 1 ? [layout.pidsParent, layout.memoryParent] : [layout.parent];
  for (const parent of parents) {
    if (parent === null) continue;
    for (const name of readdirSync(parent)) {
      if (!name.startsWith(NAME_PREFIX)) continue;
      const dir = path.join(parent, name);
      const owner = ownerPid(name);
      try {
        if (owner !== undefined && owner !== process.pid && isProcessGone(owner)) {
          // Security: an orphaned sandbox must not run on after its server (process escape).
          for (const pid of readPids(path.join(dir, 'cgroup.procs'))) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }
        } else if (Date.now() - statSync(dir).mtimeMs < STALE_CGROUP_MS) {
          continue;
        }
        // rmdir fails (EBUSY) on a cgroup that still holds processes: only empty ones go; one
        // just killed goes at the next sweep.
        rmdirSync(dir);
      } catch {
        // In use or already gone.
      }
    }
  }
}

function tryLayout(
  layout: CgroupLayout,
): { layout: CgroupLayout } | { layout: null; reason: string } {
  try {
    const probe = createSandboxCgroup(layout, { maxProcesses: 8, maxMemoryMb: 64 });
    if (!probe.remove()) return { layout: null, reason: 'could not remove a probe cgroup' };
    sweepStaleCgroups(layout);
    return { layout };
  } catch (err) {
    return {
      layout: null,
      reason: `cgroups not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    };
  }
}

function makeDir(parent: string, name: string, created: string[]): string {
  const dir = path.join(parent, name);
  mkdirSync(dir);
  created.push(dir);
  return dir;
}

// Create the cgroup(s) for one sandbox with pids and memory ceilings; throws if it cannot.
export function createSandboxCgroup(
  layout: CgroupLayout,
  limits: { maxProcesses: number; maxMemoryMb: number },
): SandboxCgroup {
  const name = `${NAME_PREFIX}${process.pid}-${randomUUID()}`;
  const dirs: string[] = [];
  const memBytes = String(limits.maxMemoryMb * 1024 * 1024);
  let memory = false;
  try {
    if (layout.version === 1) {
      const pids = makeDir(layout.pidsParent, name, dirs);
      // Security: pids.max caps the whole tree, even for uid 0 where RLIMIT_NPROC is ignored
      // (fork bomb).
      writeFileSync(path.join(pids, 'pids.max'), String(limits.maxProcesses));
      if (layout.memoryParent !== null) {
        const mem = makeDir(layout.memoryParent, name, dirs);
        // Security: memory.limit_in_bytes caps the tree's RAM (memory exhaustion of the host).
        writeFileSync(path.join(mem, 'memory.limit_in_bytes'), memBytes);
        memory = true;
      }
    } else {
      const dir = makeDir(layout.parent, name, dirs);
      // Security: pids.max caps the whole tree (fork bomb), memory.max its RAM.
      writeFileSync(path.join(dir, 'pids.max'), String(limits.maxProcesses));
      if (layout.memory) {
        writeFileSync(path.join(dir, 'memory.max'), memBytes);
        memory = true;
        try {
          writeFileSync(path.join(dir, 'memory.swap.max'), '0', { flag: 'r+' });
        } catch {
          // No swap accounting on this kernel: memory.max alone still holds.
        }
      }
    }
  } catch (err) {
    for (const dir of [...dirs].reverse()) rmdirSafe(dir);
    throw err;
  }
  const procsFiles = dirs.map((d) => path.join(d, 'cgroup.procs'));
  return {
    procsFiles,
    memory,
    killAll() {
      if (
        layout.version === 2 &&
        dirs[0] !== undefined &&
        existsSync(path.join(dirs[0], 'cgroup.kill'))
      ) {
        try {
          writeFileSync(path.join(dirs[0], 'cgroup.kill'), '1');
        } catch {
          // Fall through to the per-pid kill below.
        }
      }
      for (const file of procsFiles) {
        for (const pid of readPids(file)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
    },
    isEmpty() {
      return procsFiles.every((f) => readPids(f).length === 0);
    },
    remove() {
      return [...dirs].reverse().every(rmdirSafe);
    },
  };
}

function rmdirSafe(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
