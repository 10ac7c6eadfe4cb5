import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { Root } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { descriptorRealPathSync, fdDirectoryPath } from './descriptor-path.js';
import { createFdReadHandle } from './fd-read-handle.js';
import { formatDisplayPath, toFileSystemError } from './fs-errors.js';
import type { OpenedDirectory, OpenedFile, PathIntent, ResolvedPath } from './types.js';

// What the open helpers need from a guard: the string check, and the same check on a real path.
export interface GuardChecks {
  resolve(rawPath: string, intent: PathIntent): Promise<ResolvedPath>;
  // Throws unless realPath is inside an effective root, not denied, and (for 'write') read-write.
  verifyRealPath(realPath: string, intent: PathIntent, displayPath: string): Root;
}

// Describe a non-regular file in words an agent can act on.
export function describeKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}

export function notFound(displayPath: string): Error {
  const err: NodeJS.ErrnoException = new Error('ENOENT');
  err.code = 'ENOENT';
  return toFileSystemError(err, displayPath);
}

// Linux answers O_DIRECTORY|O_NOFOLLOW on a symlink with ENOTDIR; report it as the refused
// symlink (ELOOP) it is, so the agent is not told a directory is a file.
export async function openErrorFor(err: unknown, openedPath: string): Promise<unknown> {
  if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') return err;
  const isLink = await lstat(openedPath).then(
    (st) => st.isSymbolicLink(),
    () => false,
  );
  if (!isLink) return err;
  const loop: NodeJS.ErrnoException = new Error('ELOOP');
  loop.code = 'ELOOP';
  return loop;
}

// Open `path` with `flags`, verify the descriptor's real path, and close it on any failure.
// Synchronous on purpose (open + readlink of /proc/self/fd take a few us; the thread pool costs
// 20-40 us per step): the check still runs on the descriptor that was opened.
export async function openVerified(
  checks: GuardChecks,
  resolved: ResolvedPath,
  flags: number,
  intent: PathIntent,
  displayPath: string,
): Promise<{ fd: number; path: string; root: Root }> {
  let fd: number;
  try {
    fd = openSync(resolved.path, flags);
  } catch (err) {
    throw toFileSystemError(await openErrorFor(err, resolved.path), displayPath);
  }
  try {
    // Security: judge what was opened, not the string checked earlier: a symlink or directory
    // swapped in between resolve() and open() (TOCTOU) is caught here.
    const real = descriptorRealPathSync(fd, resolved.path);
    const root = checks.verifyRealPath(real, intent, displayPath);
    return { fd, path: real, root };
  } catch (err) {
    closeSync(fd);
    throw toFileSystemError(err, displayPath);
  }
}

// Open a regular file for reading; FIFOs, devices and directories are refused without blocking.
export async function openFileForRead(checks: GuardChecks, rawPath: string): Promise<OpenedFile> {
  const resolved = await checks.resolve(rawPath, 'read');
  if (!resolved.exists) throw notFound(rawPath);
  // Security: O_NOFOLLOW refuses a final symlink swapped in after resolve(); O_NONBLOCK keeps a
  // FIFO from hanging the server on open (it is refused below as not a regular file).
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const { fd, ...opened } = await openVerified(checks, resolved, flags, 'read', rawPath);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new InvalidInputError(
        `Expected a regular file, got ${describeKind(stat)}: ${formatDisplayPath(rawPath)}.`,
      );
    }
    return { ...opened, handle: createFdReadHandle(fd), stat };
  } catch (err) {
    closeSync(fd);
    throw toFileSystemError(err, rawPath);
  }
}

// Open a directory and list the verified directory itself (through its descriptor), so a swap of
// the path to a symlink after the check cannot redirect the listing. Names that are not valid
// UTF-8 come back with U+FFFD replacement characters (Node decodes them lossily): they list
// without crashing but cannot be opened by that name.
export async function openVerifiedDirectory(
  checks: GuardChecks,
  rawPath: string,
): Promise<OpenedDirectory> {
  const resolved = await checks.resolve(rawPath, 'read');
  if (!resolved.exists) throw notFound(rawPath);
  const flags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
  const opened = await openVerified(checks, resolved, flags, 'read', rawPath);
  try {
    const viaDescriptor = process.platform === 'linux' ? fdDirectoryPath(opened.fd) : opened.path;
    const dir = await opendir(viaDescriptor);
    return { dir, path: opened.path, root: opened.root };
  } catch (err) {
    throw toFileSystemError(err, rawPath);
  } finally {
    closeSync(opened.fd);
  }
}
