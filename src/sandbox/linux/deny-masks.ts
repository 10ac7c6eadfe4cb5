import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { SandboxUnavailableError } from '../../errors/index.js';

// Paths to hide inside the sandbox: files get /dev/null bound over them, dirs a read-only tmpfs.
export interface MaskList {
  files: string[];
  dirs: string[];
}

// A walk bigger than this refuses to spawn instead of silently skipping part of a root.
export const MAX_WALK_ENTRIES = 500_000;
// bwrap refuses more than 9,000 arguments in all, and each mount costs it a mountinfo scan
// (1,000 masks: ~1.7 s of startup here). Past this many masks a spawn is refused, not half-masked.
export const MAX_MASKS = 2_000;

// Matches a root-relative path and its absolute form, like the files server's deny matcher.
type Matcher = (relativePath: string, absolutePath: string) => boolean;

// Deny globs as matchers; `dirOnly` hides a whole dir for "dir/**". Security: the same semantics
// as the files server's guard (case-insensitive, relative AND absolute patterns), so a file the
// file tools refuse as a secret (KEY.PEM, /srv/app/secrets/**) is masked inside the sandbox too.
// Compiled matchers per deny list: every command needs them twice (the mask walk and the pins),
// and compiling a default list of ten globs costs about 0.1 ms. A pure function of the list,
// kept for a bounded number of lists (cleared when full).
const compiled = new Map<string, { any: Matcher; dirOnly: Matcher }>();
const MAX_COMPILED_LISTS = 32;

export function compileDeny(deny: readonly string[]): { any: Matcher; dirOnly: Matcher } {
  const key = JSON.stringify(deny);
  let matchers = compiled.get(key);
  if (matchers === undefined) {
    if (compiled.size >= MAX_COMPILED_LISTS) compiled.clear();
    matchers = compileDenyNow(deny);
    compiled.set(key, matchers);
  }
  return matchers;
}

function compileDenyNow(deny: readonly string[]): { any: Matcher; dirOnly: Matcher } {
  const opts = { dot: true, nocase: true };
  const both = (globs: readonly string[]): Matcher => {
    if (globs.length === 0) return () => false;
    const isMatch = picomatch([...globs], opts);
    return (rel, abs) => {
      if (rel !== '' && isMatch(rel)) return true;
      if (isMatch(abs)) return true;
      const withoutLeadingSlash = abs.replace(/^\/+/, '');
      return withoutLeadingSlash !== '' && isMatch(withoutLeadingSlash);
    };
  };
  // "dir/**" patterns hide the directory itself, so files created later stay hidden too.
  const dirGlobs = deny
    .filter((p) => p.endsWith('/**'))
    .map((p) => p.slice(0, -3))
    .filter(Boolean);
  return { any: both(deny), dirOnly: both(dirGlobs) };
}

// Walk every root (without following symlinks) and list what matches a deny glob, relative to
// the root. The uncached reference walk; DenyMaskCache is what spawn() uses.
export function computeDenyMasks(roots: readonly string[], deny: readonly string[]): MaskList {
  const masks: MaskList = { files: [], dirs: [] };
  if (deny.length === 0) return masks;
  const { any, dirOnly } = compileDeny(deny);
  let seen = 0;
  for (const root of roots) {
    const stack: string[] = [''];
    while (stack.length > 0) {
      const rel = stack.pop() as string;
      let entries: Dirent[];
      try {
        entries = readdirSync(path.join(root, rel), { withFileTypes: true });
      } catch {
        continue; // Unreadable dir: the sandbox cannot read it either (same uid).
      }
      for (const entry of entries) {
        seen += 1;
        if (seen > MAX_WALK_ENTRIES) {
          throw new SandboxUnavailableError(
            `A root has more than ${MAX_WALK_ENTRIES} entries; deny patterns cannot be enforced. Use a narrower root.`,
          );
        }
        const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
        const abs = path.join(root, childRel);
        if (entry.isDirectory()) {
          // Security: a denied directory (e.g. .ssh) is covered whole, including future files.
          if (any(childRel, abs) || dirOnly(childRel, abs)) masks.dirs.push(abs);
          else stack.push(childRel);
        } else if (!entry.isSymbolicLink()) {
          // Security: a denied file (.env, *.pem) reads as /dev/null inside the sandbox.
          if (any(childRel, abs)) masks.files.push(abs);
        }
        // Symlinks are not followed: they resolve inside the sandbox's own mount table, where
        // their target is either invisible (outside the roots) or masked itself.
      }
    }
  }
  if (masks.files.length + masks.dirs.length > MAX_MASKS) {
    throw new SandboxUnavailableError(
      `More than ${MAX_MASKS} files match the deny patterns; narrow the roots or the patterns.`,
    );
  }
  return masks;
}

// Non-world-readable entries of a system dir (e.g. /etc/shadow, /etc/ssl/private): a server
// running as root keeps uid 0 on files inside the sandbox, so mode bits alone do not hide them.
export function listPrivateEntries(dir: string, maxEntries = 50_000): MaskList {
  const masks: MaskList = { files: [], dirs: [] };
  const stack = [dir];
  let seen = 0;
  while (stack.length > 0 && seen < maxEntries) {
    const current = stack.pop() as string;
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      seen += 1;
      const abs = path.join(current, entry.name);
      if (entry.isSymbolicLink()) continue;
      let mode: number;
      try {
        mode = lstatSync(abs).mode;
      } catch {
        continue;
      }
      const worldReadable = (mode & 0o004) !== 0;
      if (entry.isDirectory()) {
        if (!worldReadable || (mode & 0o001) === 0) masks.dirs.push(abs);
        else stack.push(abs);
      } else if (entry.isFile() && !worldReadable) {
        masks.files.push(abs);
      }
    }
  }
  return masks;
}

const RENAMED = 'bastion-renamed';

// Ancestors (inside their read-write root) of masks whose match depends on those ancestors'
// names: `**/.aws/credentials` or an absolute pattern stop matching once `mv .aws x` renames the
// parent, so the next command would see the file unmasked. Security: these dirs are pinned (bound
// onto themselves) so rename(2) refuses them. Masks like `**/.env` match under any name and
// need no pin.
export function maskPins(
  masks: MaskList,
  roots: readonly { path: string; mode: string }[],
  deny: readonly string[],
): string[] {
  const { any, dirOnly } = compileDeny(deny);
  const matchesAnywhere = (name: string, isDir: boolean): boolean =>
    [`${RENAMED}/${name}`, `${RENAMED}/${RENAMED}/${name}`].every(
      (rel) => any(rel, `/${RENAMED}/${rel}`) || (isDir && dirOnly(rel, `/${RENAMED}/${rel}`)),
    ) &&
    (any(name, `/${RENAMED}/${name}`) || (isDir && dirOnly(name, `/${RENAMED}/${name}`)));
  const pins = new Set<string>();
  const entries = [
    ...masks.files.map((p) => ({ p, isDir: false })),
    ...masks.dirs.map((p) => ({ p, isDir: true })),
  ];
  for (const { p, isDir } of entries) {
    const inner = roots
      .filter((r) => isStrictlyInside(p, r.path))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (inner?.mode !== 'read-write' || matchesAnywhere(path.basename(p), isDir)) continue;
    for (let dir = path.dirname(p); isStrictlyInside(dir, inner.path); dir = path.dirname(dir))
      pins.add(dir);
  }
  return [...pins];
}

function isStrictlyInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
