import path from 'node:path';
import type { Root } from '../../../config/index.js';
import {
  FileSystemError,
  InvalidInputError,
  PathDeniedError,
  PathOutsideRootsError,
} from '../../../errors/index.js';
import {
  formatDisplayPath,
  isBastionTempName,
  isInside,
  type PathGuard,
  type PathIntent,
  validateRawPathText,
} from '../../../policy/paths/index.js';

// A directory entry named by the agent, located WITHOUT following its last component: the
// parent is resolved and verified by the guard, the name is taken as is. Used where the entry
// itself is acted on (delete, move), so a symlink means the link, never its target.
export interface EntryPath {
  parent: string;
  name: string;
  path: string;
  root: Root;
}

// The entry's path as given, folded lexically; its last component is never resolved.
function lexicalForm(rawPath: string, maxPathLength: number): string {
  return path.normalize(validateRawPathText(rawPath, maxPathLength)).replace(/(.)\/+$/, '$1');
}

function rootRefusal(rawPath: string): PathDeniedError {
  return new PathDeniedError(
    `Refusing to act on ${formatDisplayPath(rawPath)}: it is an allowed root, contains one, or is above one. ` +
      'Expected a file or directory inside a root.',
  );
}

// Resolve the parent for `intent` through the guard, then check the entry name against the deny
// rules and the roots (a root, or a directory holding a nested root, is never moved or deleted).
export async function resolveEntry(
  guard: PathGuard,
  rawPath: string,
  intent: PathIntent,
  maxPathLength: number,
): Promise<EntryPath> {
  const lexical = lexicalForm(rawPath, maxPathLength);
  const name = path.basename(lexical);
  const base = guard.roots[0]?.path;
  const absolute =
    path.isAbsolute(lexical) || base === undefined ? lexical : path.resolve(base, lexical);
  // Security: the root itself, '.', '..' and '/' are never an entry to delete or move.
  if (
    name === '' ||
    name === '.' ||
    name === '..' ||
    guard.roots.some((r) => isInside(r.path, absolute))
  ) {
    throw rootRefusal(rawPath);
  }
  const parent = await resolveParent(guard, path.dirname(lexical), intent, rawPath);
  if (!parent.exists) {
    throw new InvalidInputError(
      `The parent directory of ${formatDisplayPath(rawPath)} does not exist; create it first.`,
    );
  }
  const entry = path.join(parent.path, name);
  // Bastion's own in-flight temp files read as absent (see path-guard.ts): never moved or deleted.
  if (isBastionTempName(name))
    throw new FileSystemError(
      'ENOENT',
      `No such file or directory: ${formatDisplayPath(rawPath)}. Expected an existing path; list the parent directory to check the name.`,
    );
  // Security: the entry itself may be a secret (.env) even when its parent is not.
  if (guard.isDenied(entry)) {
    throw new PathDeniedError(
      `Access to ${formatDisplayPath(rawPath)} is denied by the deny rules (secrets such as .env files, keys and .ssh are never read or written). Choose another file.`,
    );
  }
  // Security: a nested root reached through a symlinked parent is still a root.
  if (guard.roots.some((r) => isInside(r.path, entry))) throw rootRefusal(rawPath);
  return { parent: parent.path, name, path: entry, root: parent.root };
}

// Resolve the parent, but word any refusal in terms of the path the agent gave (not its parent).
async function resolveParent(
  guard: PathGuard,
  dirname: string,
  intent: PathIntent,
  rawPath: string,
): ReturnType<PathGuard['resolve']> {
  try {
    return await guard.resolve(dirname, intent);
  } catch (err) {
    const reword = (message: string): string =>
      message.split(formatDisplayPath(dirname)).join(formatDisplayPath(rawPath));
    if (err instanceof PathOutsideRootsError) throw new PathOutsideRootsError(reword(err.message));
    if (err instanceof PathDeniedError) throw new PathDeniedError(reword(err.message));
    if (err instanceof InvalidInputError) throw new InvalidInputError(reword(err.message));
    if (err instanceof FileSystemError)
      throw new FileSystemError(err.code, reword(err.message), { cause: err });
    throw err;
  }
}
