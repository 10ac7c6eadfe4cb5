import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { CommandDeniedError } from '../../errors/index.js';
import type { Root } from '../../config/load-config.js';
import type { ProgramRules } from '../types.js';
import { linkChain, programIndex, realFile, type ProgramIndex } from './program-index.js';

// What the kernel is told about one command's programs (docs/SANDBOX.md, "Exec rules").
export interface ExecPlan {
  // Landlock's execute right: only files in these files and trees may be executed.
  executable: string[];
  // Files whose content is hidden (/dev/null bound over them): no run, no read, no copy.
  masked: string[];
  // Allowlist mode: the program dirs are emptied, then only these entries are put back at their
  // own paths (a symlink as the same link, a file bound read-only).
  programDirs?: { dirs: string[]; entries: PlacedEntry[] };
}

export interface PlacedEntry {
  path: string;
  link?: string;
}

// Where a command may always write, and so write a program of its own: the sandbox's tmpfs.
export interface ExecPlaces {
  systemDirs: readonly string[];
  // Programs run before the guard applies the rules (prlimit): they must stay in the program
  // dirs, though not executable after it.
  launchHops?: readonly string[];
  scratchDirs: readonly string[];
  roots: readonly Root[];
}

// The shells a command runs under (`bash -c`, and `sh` for scripts and make).
const SHELLS = ['/bin/bash', '/bin/sh'] as const;
// The dynamic loaders: every dynamically linked program needs its loader executable.
const LOADERS = [
  '/lib64/ld-linux-x86-64.so.2',
  '/lib/ld-linux-aarch64.so.1',
  '/lib/ld-linux-armhf.so.3',
  '/lib/ld-linux.so.2',
] as const;

const GLOB_CHARS = /[*?[]/;

function nameMatcher(entry: string, ignoreCase: boolean): (name: string) => boolean {
  if (GLOB_CHARS.test(entry)) return picomatch(entry, { dot: true, nocase: ignoreCase });
  return ignoreCase ? (n) => n.toLowerCase() === entry.toLowerCase() : (n) => n === entry;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// The real files a rule entry names: a name or glob looked up in the program dirs (with every
// hard link of what it finds), an absolute path, or a path relative to each root.
function namedFiles(
  entry: string,
  index: ProgramIndex,
  roots: readonly Root[],
  ignoreCase: boolean,
): { starts: string[]; reals: string[]; dirs: string[] } {
  const starts: string[] = [];
  const dirs: string[] = [];
  if (!entry.includes('/') && !GLOB_CHARS.test(entry)) {
    for (const found of index.named(entry, ignoreCase)) starts.push(found.path);
  } else if (!entry.includes('/')) {
    const matches = nameMatcher(entry, ignoreCase);
    for (const found of index.entries) if (matches(found.name)) starts.push(found.path);
  } else if (path.isAbsolute(entry) && GLOB_CHARS.test(entry)) {
    const matches = picomatch(entry, { dot: true, nocase: ignoreCase });
    for (const found of index.entries) if (matches(found.path)) starts.push(found.path);
  } else if (path.isAbsolute(entry)) {
    try {
      if (statSync(entry).isDirectory()) dirs.push(realpathSync(entry));
      else starts.push(entry);
    } catch {
      // Not there: names nothing.
    }
  } else {
    for (const root of roots) starts.push(path.resolve(root.path, entry));
  }
  const reals = new Set<string>();
  const found: string[] = [];
  for (const start of starts) {
    const real = realFile(start);
    if (real === undefined) continue;
    found.push(start);
    reals.add(real);
    // Security: a hard link is the same program under another name (`ln sudo s` on the host),
    // in the program dirs or anywhere else in the system dirs.
    try {
      const st = lstatSync(real);
      for (const same of index.sameFile(st)) reals.add(same.path);
      if (st.nlink > 1) for (const link of hardLinksOf(real, st)) reals.add(link);
    } catch {
      // Gone since the lookup.
    }
  }
  return { starts: found, reals: [...reals], dirs };
}

// Every path of the system dirs that is the same file as `file` (more than one link): found by
// find(1) once per file and link count, and kept (about 0.25 s over /usr with a warm cache, a few
// seconds cold on a busy machine; only programs with several links pay). A new link on the host
// changes the count, so it is searched again.
const linkCache = new Map<string, string[]>();
const SYSTEM_TREES = ['/usr', '/opt', '/etc'] as const;
const LINK_SEARCH_TIMEOUT_MS = 60_000;

// Security: a search that did not finish would name only some of the links, and a link it missed
// would run the denied program: the command is refused instead (nothing is kept, so the next
// command searches again).
export function hardLinksOf(file: string, st: Stats, timeoutMs = LINK_SEARCH_TIMEOUT_MS): string[] {
  const key = `${st.dev}:${st.ino}:${st.nlink}`;
  const cached = linkCache.get(key);
  if (cached !== undefined) return cached;
  let out: string;
  try {
    out = execFileSync(
      'find',
      [...SYSTEM_TREES.filter((t) => existsSync(t)), '-xdev', '-samefile', file, '-print0'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: timeoutMs },
    );
  } catch (err) {
    // find exits 1 when some dir is unreadable, having searched the rest: what it printed counts.
    const { status, stdout, code } = err as {
      status?: number | null;
      stdout?: string;
      code?: string;
    };
    if (status !== 1 || typeof stdout !== 'string') {
      throw new CommandDeniedError(
        code === 'ENOENT'
          ? `The exec rules could not be prepared: find(1) is not installed, and it is needed to find the other names (hard links) of the denied program ${path.basename(file)}; the command was not run.`
          : `The exec rules could not be prepared: the search for other names (hard links) of the denied program ${path.basename(file)} did not finish, so the command was not run. Try again.`,
        'exec-rules',
      );
    }
    out = stdout;
  }
  // NUL-separated: a file name may hold a newline.
  const links = out.split('\0').filter((name) => name.length > 0);
  if (linkCache.size >= 256) linkCache.clear();
  linkCache.set(key, links);
  return links;
}

// The interpreter a script names on its #! line (and for `#!/usr/bin/env NAME`, NAME looked up
// in the program dirs): it is executed too, so it must be executable as well.
function shebangTargets(file: string, index: ProgramIndex): string[] {
  const head = Buffer.alloc(256);
  let read = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  const text = head.subarray(0, read).toString('latin1');
  if (!text.startsWith('#!')) return [];
  const words = (text.slice(2).split('\n')[0] ?? '').trim().split(/\s+/);
  const interpreter = words[0];
  if (interpreter === undefined || !path.isAbsolute(interpreter)) return [];
  if (path.basename(interpreter) !== 'env') return [interpreter];
  const name = words.slice(1).find((w) => !w.startsWith('-'));
  const found = name === undefined ? [] : index.named(name, false);
  return [interpreter, ...found.map((e) => e.path)];
}

function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

// The canonical form of a hop's directory (so /bin/x on a merged /usr is /usr/bin/x).
function canonicalHop(hop: string): string {
  try {
    return path.join(realpathSync(path.dirname(hop)), path.basename(hop));
  } catch {
    return hop;
  }
}

// The roots granted the execute right: those whose `exec` says so (unset: `byDefault`).
// Security: Landlock rules only add, so a root that may execute but holds one that may not
// would grant it too: such a root is not granted at all (fail closed).
function rootsThatMayExec(roots: readonly Root[], byDefault: boolean): string[] {
  const noExec = roots.filter((r) => r.exec === false).map((r) => r.path);
  return roots
    .filter((r) => (r.exec ?? byDefault) && !noExec.some((inner) => isInside(inner, r.path)))
    .map((r) => r.path);
}

// Denylist and confirm: everything is executable but the named programs, whose content is
// masked; files in a root with exec: false (and then in the scratch dirs) are not executable.
function planExcept(deny: readonly string[], places: ExecPlaces, index: ProgramIndex): ExecPlan {
  const visible = [...places.systemDirs, ...places.roots.map((r) => r.path)];
  const masked = new Set<string>();
  for (const entry of deny) {
    // Security: denylist names match whatever the case (as the parser does).
    for (const real of namedFiles(entry, index, [], true).reals)
      if (visible.some((dir) => isInside(real, dir))) masked.add(real);
  }
  const execRoots = rootsThatMayExec(places.roots, true);
  // Security: when any root may not execute, neither may the scratch dirs, or a program copied
  // (or written) to /tmp would get around it.
  const anyNoExec = places.roots.some((r) => r.exec === false);
  return {
    executable: [...places.systemDirs, ...execRoots, ...(anyNoExec ? [] : places.scratchDirs)],
    masked: [...masked],
  };
}

// Allowlist: only the named programs, their interpreters, the shells and the loader may run;
// the program dirs hold only those; nothing in a root runs unless named by path or exec: true.
function planOnly(
  allow: readonly string[],
  deny: readonly string[],
  places: ExecPlaces,
  index: ProgramIndex,
): ExecPlan {
  const denied = new Set(deny.flatMap((e) => namedFiles(e, index, [], true).reals));
  const executable = new Set<string>();
  const placed = new Map<string, PlacedEntry>();
  // Each hop of the program's link chain that lies in a program dir goes back in, as it is.
  const place = (start: string): void => {
    for (const hop of linkChain(start)) {
      const canonical = canonicalHop(hop);
      if (!index.dirs.includes(path.dirname(canonical))) continue;
      const entry = index.entries.find((e) => e.path === canonical);
      if (entry === undefined) continue;
      placed.set(
        canonical,
        entry.link !== undefined ? { path: canonical, link: entry.link } : { path: canonical },
      );
    }
  };
  const writable = places.roots.filter((r) => r.mode === 'read-write').map((r) => r.path);
  const inWritable = (file: string): boolean => writable.some((dir) => isInside(file, dir));
  const grant = (start: string, depth: number): void => {
    const real = realFile(start);
    if (real === undefined || denied.has(real)) return;
    // Security: a file the agent can write (or a link it planted) grants only itself, a regular
    // file in that same root: never a program its link points at, never its #! interpreter
    // (which must be allowed by name), never a directory.
    if (inWritable(start) || inWritable(real)) {
      const root = writable.find((dir) => isInside(start, dir));
      if (root === undefined || !isInside(real, root) || !isRegularFile(real)) return;
      executable.add(real);
      return;
    }
    executable.add(real);
    place(start);
    if (depth > 0) for (const target of shebangTargets(real, index)) grant(target, depth - 1);
  };
  for (const shell of SHELLS) grant(shell, 0);
  for (const loader of LOADERS) {
    const real = realFile(loader);
    if (real !== undefined) executable.add(real);
  }
  for (const entry of allow) {
    const { starts, dirs } = namedFiles(entry, index, places.roots, false);
    for (const start of starts) grant(start, 2);
    for (const dir of dirs) executable.add(dir);
  }
  for (const root of rootsThatMayExec(places.roots, false)) executable.add(root);
  for (const hop of places.launchHops ?? []) {
    const canonical = canonicalHop(hop);
    if (index.dirs.includes(path.dirname(canonical)) && !placed.has(canonical))
      placed.set(canonical, { path: canonical });
  }
  return {
    executable: [...executable],
    masked: [],
    programDirs: { dirs: [...index.dirs], entries: [...placed.values()] },
  };
}

// Plans by rules and places, as fresh as the program index they were made from. Rules with a
// path relative to a root are planned each time: what that path holds changes with the root.
const plans = new Map<string, { plan: ExecPlan; readAt: number }>();
const MAX_CACHED_PLANS = 64;

// A cached plan may name a file removed since (a package uninstalled, a link deleted): bwrap
// would refuse to start on its mask or placement. What is gone needs neither.
function stillPresent(plan: ExecPlan): ExecPlan {
  const exists = (file: string): boolean => {
    try {
      lstatSync(file);
      return true;
    } catch {
      return false;
    }
  };
  const masked = plan.masked.filter(exists);
  const entries = plan.programDirs?.entries.filter((e) => exists(e.path) || e.link !== undefined);
  if (masked.length === plan.masked.length && entries?.length === plan.programDirs?.entries.length)
    return plan;
  return {
    ...plan,
    masked,
    ...(plan.programDirs && entries ? { programDirs: { ...plan.programDirs, entries } } : {}),
  };
}

export function planExec(rules: ProgramRules, places: ExecPlaces): ExecPlan {
  return stillPresent(planExecCached(rules, places));
}

function planExecCached(rules: ProgramRules, places: ExecPlaces): ExecPlan {
  const index = programIndex();
  const relative =
    rules.kind === 'only' && rules.allow.some((e) => e.includes('/') && !path.isAbsolute(e));
  const key = JSON.stringify([rules, places]);
  const hit = relative ? undefined : plans.get(key);
  if (hit !== undefined && hit.readAt === index.readAt) return hit.plan;
  const plan =
    rules.kind === 'except'
      ? planExcept(rules.deny, places, index)
      : planOnly(rules.allow, rules.deny, places, index);
  if (!relative) {
    if (plans.size >= MAX_CACHED_PLANS) plans.clear();
    plans.set(key, { plan, readAt: index.readAt });
  }
  return plan;
}
