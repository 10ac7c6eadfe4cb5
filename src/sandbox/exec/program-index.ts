import { lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { SANDBOX_DEFAULT_PATH } from '../env.js';

// The host's program directories as the sandbox sees them (the system dirs are bound at their
// own paths), symlinked dirs (/bin -> usr/bin) folded into their targets.
export function programDirs(): string[] {
  const dirs: string[] = [];
  for (const dir of SANDBOX_DEFAULT_PATH.split(':')) {
    try {
      if (lstatSync(dir).isDirectory() && !dirs.includes(dir)) dirs.push(dir);
    } catch {
      // Not on this host.
    }
  }
  return dirs;
}

// One entry of a program dir: its name and what it is on the host.
export interface ProgramEntry {
  dir: string;
  name: string;
  path: string;
  // The link's text for a symlink (recreated as is inside), else undefined.
  link?: string;
  dev: number;
  ino: number;
}

// Every entry of the program dirs, read once and kept for a minute: the dirs are read-only
// inside, so only the host (a package install) changes them.
export interface ProgramIndex {
  dirs: readonly string[];
  entries: readonly ProgramEntry[];
  // Paths of every entry that is the same file (same device and inode) as `stats`.
  sameFile(stats: Stats): ProgramEntry[];
  // The entries called `name` (lower-cased when ignoreCase), without scanning them all.
  named(name: string, ignoreCase: boolean): ProgramEntry[];
  // When the index was read: plans made from it are as fresh.
  readAt: number;
}

const INDEX_TTL_MS = 60_000;
let cached: { index: ProgramIndex; at: number } | undefined;

export function programIndex(now: number = Date.now()): ProgramIndex {
  if (cached !== undefined && now - cached.at < INDEX_TTL_MS) return cached.index;
  const dirs = programDirs();
  const entries: ProgramEntry[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      try {
        const st = lstatSync(full);
        const entry: ProgramEntry = { dir, name, path: full, dev: st.dev, ino: st.ino };
        if (st.isSymbolicLink()) entry.link = readlinkSync(full);
        entries.push(entry);
      } catch {
        // Gone since the listing.
      }
    }
  }
  const byInode = new Map<string, ProgramEntry[]>();
  for (const entry of entries) {
    if (entry.link !== undefined) continue;
    const key = `${entry.dev}:${entry.ino}`;
    byInode.set(key, [...(byInode.get(key) ?? []), entry]);
  }
  const byName = new Map<string, ProgramEntry[]>();
  const byLowerName = new Map<string, ProgramEntry[]>();
  for (const entry of entries) {
    byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
    const lower = entry.name.toLowerCase();
    byLowerName.set(lower, [...(byLowerName.get(lower) ?? []), entry]);
  }
  const index: ProgramIndex = {
    dirs,
    entries,
    sameFile: (stats) => byInode.get(`${stats.dev}:${stats.ino}`) ?? [],
    named: (name, ignoreCase) =>
      (ignoreCase ? byLowerName.get(name.toLowerCase()) : byName.get(name)) ?? [],
    readAt: now,
  };
  cached = { index, at: now };
  return index;
}

// The real file a path ends at, or undefined when it does not exist (a dangling link).
export function realFile(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

// Each hop of a symlink chain that starts at `file`, the final target included: the entries a
// program needs at their own paths to be found and run (`python3 -> python3.11`, or
// `editor -> /etc/alternatives/editor -> /usr/bin/vim.basic`). Bounded like the kernel's 40.
export function linkChain(file: string): string[] {
  const hops: string[] = [];
  let current = file;
  for (let i = 0; i < 40; i++) {
    hops.push(current);
    let link: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) return hops;
      link = readlinkSync(current);
    } catch {
      return hops;
    }
    current = path.resolve(path.dirname(current), link);
  }
  return hops;
}
