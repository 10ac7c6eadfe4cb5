import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

// What node:module offers from Node 22.1 on (absent on Node 20, and not in its typings).
type EnableCompileCache = (directory: string) => { status: number; directory?: string };

// Turn on V8's on-disk compile cache for the modules loaded after this call, so every start after
// the first skips compiling Bastion's and its dependencies' JavaScript (docs/BENCHMARKS.md, cold
// start). Only in a directory of our own: $XDG_CACHE_HOME/bastion/compile-cache (else
// ~/.cache/...), owned by this user and writable by nobody else, since V8 trusts its cache.
// Silently skipped on Node 20, when Node says NODE_DISABLE_COMPILE_CACHE, or on any problem.
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  const enable = (module as unknown as { enableCompileCache?: EnableCompileCache })
    .enableCompileCache;
  if (enable === undefined || env.NODE_DISABLE_COMPILE_CACHE) return;
  try {
    const base =
      env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
        ? env.XDG_CACHE_HOME
        : path.join(os.homedir(), '.cache');
    const dir = path.join(base, 'bastion', 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    // Security: a cache another user can write could feed V8 code it would run as ours.
    if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return;
    enable(dir);
  } catch {
    // A read-only or missing home: start without the cache.
  }
}
