import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { SandboxUnavailableError } from '../../errors/index.js';
import { compileDeny, MAX_MASKS, MAX_WALK_ENTRIES, type MaskList } from './deny-masks.js';

// A directory's mtime within this window of the scan may still change in the same clock tick
// ("racy git" problem): such a directory is re-read next time instead of trusted.
const RACY_WINDOW_NS = 2_000_000_000n;

interface DirState {
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  trusted: boolean;
  entries: number;
  subdirs: string[];
  files: string[];
  dirs: string[];
}

// computeDenyMasks with a per-(root, deny list) cache validated by every directory's
// inode+mtime+ctime: adding, removing or renaming an entry changes its parent's mtime, so a new
// .env is always seen; a spawn costs one stat per directory instead of a readdir per directory.
export class DenyMaskCache {
  readonly #states = new Map<string, Map<string, DirState>>();

  compute(roots: readonly string[], deny: readonly string[]): MaskList {
    const masks: MaskList = { files: [], dirs: [] };
    if (deny.length === 0) return masks;
    const matchers = compileDeny(deny);
    const budget = { seen: 0 };
    for (const root of roots) {
      const key = `${deny.join('\0')}\0${root}`;
      const previous = this.#states.get(key) ?? new Map<string, DirState>();
      const next = new Map<string, DirState>();
      const stack = [''];
      while (stack.length > 0) {
        const rel = stack.pop() as string;
        const state = this.#dirState(root, rel, previous.get(rel), matchers);
        if (state === null) continue;
        next.set(rel, state);
        budget.seen += state.entries;
        if (budget.seen > MAX_WALK_ENTRIES) {
          throw new SandboxUnavailableError(
            `A root has more than ${MAX_WALK_ENTRIES} entries; deny patterns cannot be enforced. Use a narrower root.`,
          );
        }
        masks.files.push(...state.files);
        masks.dirs.push(...state.dirs);
        stack.push(...state.subdirs);
      }
      // Only directories seen in this walk are kept: deleted ones drop out.
      this.#states.set(key, next);
    }
    if (masks.files.length + masks.dirs.length > MAX_MASKS) {
      throw new SandboxUnavailableError(
        `More than ${MAX_MASKS} files match the deny patterns; narrow the roots or the patterns.`,
      );
    }
    return masks;
  }

  #dirState(
    root: string,
    rel: string,
    cached: DirState | undefined,
    m: ReturnType<typeof compileDeny>,
  ): DirState | null {
    const abs = path.join(root, rel);
    let stat;
    try {
      stat = statSync(abs, { bigint: true });
    } catch {
      return null;
    }
    // Security: reuse only if the directory is provably unchanged since a non-racy scan.
    if (
      cached?.trusted === true &&
      cached.ino === stat.ino &&
      cached.mtimeNs === stat.mtimeNs &&
      cached.ctimeNs === stat.ctimeNs
    ) {
      return cached;
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return null; // Unreadable dir: the sandbox cannot read it either (same uid).
    }
    const state: DirState = {
      ino: stat.ino,
      mtimeNs: stat.mtimeNs,
      ctimeNs: stat.ctimeNs,
      trusted: BigInt(Date.now()) * 1_000_000n - stat.mtimeNs > RACY_WINDOW_NS,
      entries: entries.length,
      subdirs: [],
      files: [],
      dirs: [],
    };
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const childAbs = path.join(root, childRel);
      if (entry.isDirectory()) {
        if (m.any(childRel, childAbs) || m.dirOnly(childRel, childAbs)) state.dirs.push(childAbs);
        else state.subdirs.push(childRel);
      } else if (!entry.isSymbolicLink() && m.any(childRel, childAbs)) {
        state.files.push(childAbs);
      }
    }
    return state;
  }
}
