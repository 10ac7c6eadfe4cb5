import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

// What node:module offers from Node 22.1 on (absent on Node 20, and not in its typings).
type EnableCompileCache = (directory: string) => { status: number; directory?: string };

// Whether `inner` is `outer` or lies below it (both real paths).
function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// A root's real path; a root that does not exist (yet) as written.
function realOrResolved(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return path.resolve(root);
  }
}

// Turn on V8's on-disk compile cache for the modules loaded after this call, so every start after
// the first skips compiling Bastion's and its dependencies' JavaScript (docs/BENCHMARKS.md, cold
// start). Only in a directory of our own: $XDG_CACHE_HOME/bastion/compile-cache (else
// ~/.cache/...), owned by this user, writable by nobody else, and outside every root.
// Silently skipped on Node 20, when Node says NODE_DISABLE_COMPILE_CACHE, or on any problem.
//
// Security: V8 runs what its cache holds without checking it. A cache another user can write, or
// one inside a root (a root of `~` is common) where the agent can write, would let whoever writes
// it run code as this user outside the sandbox at the next start. So it is called once the
// config is known, with every root, and stays off when the folder lies within one of them.
export function enableCompileCache(
  roots: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  const enable = (module as unknown as { enableCompileCache?: EnableCompileCache })
    .enableCompileCache;
  if (enable === undefined || env.NODE_DISABLE_COMPILE_CACHE) return;
  try {
    const base =
      env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
        ? env.XDG_CACHE_HOME
        : path.join(os.homedir(), '.cache');
    const wanted = path.join(base, 'bastion', 'compile-cache');
    // Checked before anything is made: no folder appears inside a root.
    if (roots.some((root) => isWithin(path.resolve(wanted), path.resolve(root)))) return;
    mkdirSync(wanted, { recursive: true, mode: 0o700 });
    const dir = realpathSync(wanted);
    if (roots.some((root) => isWithin(dir, realOrResolved(root)))) return;
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return;
    enable(dir);
  } catch {
    // A read-only or missing home: start without the cache.
  }
}
