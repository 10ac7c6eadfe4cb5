import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Config, Root } from '../../config/index.js';
import { PathDeniedError, PathOutsideRootsError } from '../../errors/index.js';
import { canonicalizePath, type CanonicalPath } from './canonicalize-path.js';
import { createDenyMatcher, relativeToRoot } from './deny-matcher.js';
import { deepestContaining, narrowRoots } from './effective-roots.js';
import { formatDisplayPath, toFileSystemError } from './fs-errors.js';
import { isInside } from './is-inside.js';
import { openFileForRead, openVerifiedDirectory, type GuardChecks } from './open-verified.js';
import { parseRawPath } from './parse-raw-path.js';
import type { PathLocks } from './path-lock.js';
import { hasBastionTempSegment, TEMP_NAME_MARK, type FolderSweeps } from './temp-files.js';
import type { PathGuard, PathIntent, ResolvedPath } from './types.js';
import { writeFileAtomic } from './write-atomic.js';

function outsideError(rawPath: string): PathOutsideRootsError {
  return new PathOutsideRootsError(
    `Path ${formatDisplayPath(rawPath)} is outside the allowed roots (symbolic links are followed). ` +
      'Expected a path inside one of the allowed directories; list them with list_allowed_directories.',
  );
}

function deniedError(rawPath: string): PathDeniedError {
  return new PathDeniedError(
    `Access to ${formatDisplayPath(rawPath)} is denied by the deny rules (secrets such as .env files, ` +
      'keys and .ssh are never read or written). Choose another file.',
  );
}

function readOnlyError(rawPath: string): PathDeniedError {
  return new PathDeniedError(
    `Path ${formatDisplayPath(rawPath)} is in a read-only root; writes are allowed only in read-write roots.`,
  );
}

// The real path of the deepest ancestor of absPath that still resolves ('/' at worst).
async function deepestRealAncestor(absPath: string): Promise<string> {
  for (let current = absPath; ; current = path.dirname(current)) {
    try {
      return await realpath(current);
    } catch {
      if (path.dirname(current) === current) return current;
    }
  }
}

// Roots as given should already be canonical (loadConfig does it); re-canonicalise defensively so
// a root spelled through a symlink (/tmp on macOS) still contains its own real paths.
function canonicalRoots(roots: readonly Root[]): readonly Root[] {
  return Object.freeze(
    roots.map((root) => {
      let real: string;
      try {
        real = realpathSync(root.path);
      } catch {
        real = path.resolve(root.path);
      }
      return real === root.path ? root : Object.freeze({ ...root, path: real });
    }),
  );
}

// How many deny answers one guard remembers per set of roots, and for how many sets.
const MAX_REMEMBERED_DENY_ANSWERS = 4_096;
const MAX_REMEMBERED_ROOT_SETS = 16;
// And how many characters of paths and root keys in all: paths may be long (maxPathLength).
const MAX_REMEMBERED_CHARS = 4 * 1024 * 1024;

// The checking half of a guard (no opening or writing); tests drive the open/write helpers with
// it to replay a swap between check and use deterministically.
export type PathChecks = GuardChecks &
  Pick<PathGuard, 'roots' | 'setClientRoots' | 'withClientRoots' | 'rootFor' | 'isDenied'>;

// Build the checks for one server instance. State (the effective roots) lives in the returned
// object, never in the module, so tenants and tests stay independent.
export function createPathChecks(config: Pick<Config, 'roots' | 'deny' | 'limits'>): PathChecks {
  const configured = canonicalRoots(config.roots);
  let effective: readonly Root[] = configured;
  // One request's own narrowing (a 2026-07-28 client's roots), seen by that request's async
  // work only: concurrent requests on the same guard keep their own roots.
  const scoped = new AsyncLocalStorage<readonly Root[]>();
  const current = (): readonly Root[] => scoped.getStore() ?? effective;
  const denyMatcher = createDenyMatcher(config.deny);
  const { maxPathLength } = config.limits;

  const rootFor = (absPath: string): Root | undefined => deepestContaining(current(), absPath);

  // Every check matches a path and each of its ancestors up to its roots against the deny globs,
  // the same few folders call after call: the answers are remembered per set of effective root
  // paths. An answer is a pure function of the path string, the root paths and the fixed globs,
  // so a remembered one is as good as a fresh one; the memory is bounded (cleared when full), so
  // a flood of made-up paths or of client root sets cannot grow it.
  const remembered = new Map<string, Map<string, boolean>>();
  const rootKeys = new WeakMap<readonly Root[], string>();
  const answersFor = (roots: readonly Root[]): Map<string, boolean> => {
    let rootKey = rootKeys.get(roots);
    if (rootKey === undefined) {
      // NUL never occurs in a path, so the key is unambiguous.
      rootKey = roots.map((root) => root.path).join('\0');
      rootKeys.set(roots, rootKey);
    }
    let known = remembered.get(rootKey);
    if (known === undefined) {
      if (remembered.size >= MAX_REMEMBERED_ROOT_SETS) forgetAll();
      known = new Map();
      remembered.set(rootKey, known);
      rememberedChars += rootKey.length;
    }
    return known;
  };
  let rememberedChars = 0;
  const forgetAll = (): void => {
    remembered.clear();
    rememberedChars = 0;
  };
  const isDenied = (absPath: string): boolean => {
    if (!path.isAbsolute(absPath)) return true;
    const normal = path.resolve(absPath);
    const roots = current();
    let known = answersFor(roots);
    const cached = known.get(normal);
    if (cached !== undefined) return cached;
    const answer = matchDeny(roots, normal);
    if (rememberedChars + normal.length > MAX_REMEMBERED_CHARS) {
      forgetAll();
      known = answersFor(roots);
    } else if (known.size >= MAX_REMEMBERED_DENY_ANSWERS) known.clear();
    known.set(normal, answer);
    rememberedChars += normal.length;
    return answer;
  };

  const matchDeny = (roots: readonly Root[], normal: string): boolean => {
    // Every root holding the path counts, so nested roots cannot hide `secrets/**` of an outer one.
    const holders = roots.filter((root) => isInside(normal, root.path));
    if (holders.length === 0) return denyMatcher('', normal);
    // Security: a denied directory denies everything below it (`**/secrets` covers secrets/a),
    // so every ancestor up to the root is matched too.
    return holders.some((root) => {
      for (let current = normal; isInside(current, root.path); current = path.dirname(current)) {
        if (denyMatcher(relativeToRoot(current, root.path), current)) return true;
        if (current === root.path) break;
      }
      return false;
    });
  };

  const verifyRealPath = (realPath: string, intent: PathIntent, displayPath: string): Root => {
    const root = rootFor(realPath);
    // Security: containment by whole segments on the real path defeats `..`, symlinks out and
    // sibling prefixes (root-evil vs root).
    if (root === undefined) throw outsideError(displayPath);
    // Security: deny globs on the real path stop reaching a secret through an innocent-looking link.
    if (isDenied(realPath)) throw deniedError(displayPath);
    // Security: read-only roots refuse every write, whatever link or spelling led there.
    if (intent === 'write' && root.mode === 'read-only') throw readOnlyError(displayPath);
    return root;
  };

  const resolve = async (rawPath: string, intent: PathIntent): Promise<ResolvedPath> => {
    const lexical = parseRawPath(rawPath, maxPathLength, current()[0]?.path);
    const lexicalRoot = rootFor(lexical);
    let canonical: CanonicalPath;
    try {
      canonical = canonicalizePath(lexical);
    } catch (err) {
      // Security: errors met while resolving a path outside every root (EACCES, ENOTDIR) would
      // be an existence oracle for host files; they all read as "outside".
      if (lexicalRoot === undefined) throw outsideError(rawPath);
      // Security: same for a path that fails (ENOTDIR, ELOOP) after a link already led outside.
      if (rootFor(await deepestRealAncestor(lexical)) === undefined) throw outsideError(rawPath);
      throw toFileSystemError(err, rawPath);
    }
    // Security: the spelling the agent used is denied too: `.ssh/x` stays refused even when
    // .ssh is a symlink to an innocent-looking directory.
    if (lexicalRoot !== undefined && isDenied(lexical)) throw deniedError(rawPath);
    const root = verifyRealPath(canonical.path, intent, rawPath);
    return { path: canonical.path, root, exists: canonical.exists };
  };

  return {
    get roots() {
      return current();
    },
    setClientRoots(rawUris) {
      effective =
        rawUris === undefined ? configured : Object.freeze(narrowRoots(configured, rawUris));
    },
    withClientRoots(rawUris, run) {
      if (rawUris === undefined) return run();
      // Security: a request's roots only narrow the roots in force (never wider than configured).
      return scoped.run(Object.freeze(narrowRoots(current(), rawUris)), run);
    },
    resolve,
    verifyRealPath,
    isDenied,
    rootFor,
  };
}

// Build the path boundary for one server instance: the checks plus descriptor-verified open and
// atomic write on top of them.
export function createPathGuard(config: Pick<Config, 'roots' | 'deny' | 'limits'>): PathGuard {
  const checks = createPathChecks(config);
  const { maxWriteBytes } = config.limits;
  const writeLocks: PathLocks = new Map();
  const tempSweeps: FolderSweeps = new Map();
  // Bastion's own in-flight temp files (write-atomic.ts, copies being staged) are not the agent's:
  // named exactly, they read as absent, as they are absent from every listing. Only a staged copy
  // (copy-file.ts) writes below one.
  const hideTemp = (rawPath: string, ...paths: string[]): void => {
    for (const candidate of paths) {
      if (!candidate.includes(TEMP_NAME_MARK)) continue;
      const holder = checks.rootFor(candidate);
      if (holder !== undefined && hasBastionTempSegment(relativeToRoot(candidate, holder.path)))
        throw toFileSystemError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), rawPath);
    }
  };
  const lexicalOf = (rawPath: string): string =>
    parseRawPath(rawPath, config.limits.maxPathLength, checks.roots[0]?.path);
  // The spelling the agent used, hidden when it names a temp. Folding `.`/`..` and joining the
  // root only drop or add whole segments, so raw text without the mark cannot name one; a
  // file: URI's escapes could spell it, so a URI is always parsed (as is any non-string, which
  // parseRawPath refuses).
  const hideNamedTemp = (rawPath: string): void => {
    if (
      typeof rawPath === 'string' &&
      !rawPath.includes(TEMP_NAME_MARK) &&
      !/^file:/i.test(rawPath) &&
      // A relative path is joined to the first root, and `..` can climb from there into an
      // outer root: the first root's own folders are then part of the spelling.
      (path.isAbsolute(rawPath) || !(checks.roots[0]?.path.includes(TEMP_NAME_MARK) ?? false))
    )
      return;
    hideTemp(rawPath, lexicalOf(rawPath));
  };
  // An opened temp is closed again and reads as absent.
  const hideOpened = async (
    rawPath: string,
    openedPath: string,
    close: () => Promise<void>,
  ): Promise<void> => {
    try {
      hideTemp(rawPath, openedPath);
    } catch (err) {
      await close();
      throw err;
    }
  };
  return {
    get roots() {
      return checks.roots;
    },
    setClientRoots: (rawUris) => checks.setClientRoots(rawUris),
    withClientRoots: (rawUris, run) => checks.withClientRoots(rawUris, run),
    resolve: async (rawPath, intent) => {
      hideNamedTemp(rawPath);
      const resolved = await checks.resolve(rawPath, intent);
      hideTemp(rawPath, resolved.path);
      return resolved;
    },
    // What was opened is judged too: a link to a temp, or into a temp folder, reads as absent.
    openForRead: async (rawPath) => {
      hideNamedTemp(rawPath);
      const opened = await openFileForRead(checks, rawPath);
      await hideOpened(rawPath, opened.path, () => opened.handle.close());
      return opened;
    },
    openDirectory: async (rawPath) => {
      hideNamedTemp(rawPath);
      const opened = await openVerifiedDirectory(checks, rawPath);
      await hideOpened(rawPath, opened.path, () => opened.dir.close());
      return opened;
    },
    writeFileAtomic: async (rawPath, data, options) => {
      if (options?.staged !== true) hideNamedTemp(rawPath);
      return writeFileAtomic(
        checks,
        maxWriteBytes,
        rawPath,
        data,
        options?.mode,
        writeLocks,
        tempSweeps,
      );
    },
    isDenied: (absPath) => checks.isDenied(absPath),
    rootFor: (absPath) => checks.rootFor(absPath),
  };
}
