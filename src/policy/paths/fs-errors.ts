import { BastionError, FileSystemError } from '../../errors/index.js';

const MAX_DISPLAY_CHARS = 200;

// Quote the path the agent asked for, shortened, so a message never echoes megabytes or raw controls.
export function formatDisplayPath(displayPath: string): string {
  const short =
    displayPath.length > MAX_DISPLAY_CHARS
      ? `${displayPath.slice(0, MAX_DISPLAY_CHARS)}...`
      : displayPath;
  return JSON.stringify(short);
}

// errno code -> message template; each says what was wrong and what the agent can do instead.
const ERRNO_MESSAGES: Readonly<Record<string, (p: string) => string>> = {
  ENOENT: (p) =>
    `No such file or directory: ${p}. Expected an existing path; list the parent directory to check the name.`,
  EACCES: (p) => `Permission denied by the operating system for ${p}.`,
  EPERM: (p) => `Operation not permitted by the operating system on ${p}.`,
  ENOSPC: (p) => `Not enough disk space to write ${p}; the file was left unchanged.`,
  EDQUOT: (p) => `Disk quota exceeded while writing ${p}; the file was left unchanged.`,
  EISDIR: (p) => `Expected a file, got a directory: ${p}.`,
  ENOTDIR: (p) => `Expected a directory, got a file (or a file used as a directory) in ${p}.`,
  EEXIST: (p) => `Already exists: ${p}. Choose another name or overwrite explicitly.`,
  ENOTEMPTY: (p) => `Directory not empty: ${p}.`,
  ELOOP: (p) =>
    `Too many levels of symbolic links (a link loop, or a symlink where none is allowed) in ${p}.`,
  ENAMETOOLONG: (p) => `Path or file name too long: ${p}. Expected names under 255 bytes.`,
  EROFS: (p) => `The file system holding ${p} is mounted read-only.`,
  EMFILE: (p) => `Too many open files in the server while accessing ${p}; try again shortly.`,
  ENFILE: (p) => `Too many open files on the system while accessing ${p}; try again shortly.`,
  EBUSY: (p) => `Resource busy: ${p}. Try again later.`,
  ETXTBSY: (p) => `File is busy (a running program): ${p}.`,
  EXDEV: (p) => `Cannot move ${p} across file systems.`,
  EFBIG: (p) => `File too large for the file system: ${p}.`,
  EINVAL: (p) => `Invalid operation for ${p}.`,
  EIO: (p) => `I/O error while accessing ${p}.`,
  EAGAIN: (p) => `Resource temporarily unavailable for ${p}; try again.`,
  ENXIO: (p) => `No such device or address: ${p} (a socket or FIFO without a peer).`,
  ENODEV: (p) => `Expected a regular file, got a device: ${p}.`,
};

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const { code } = err;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

// True for errors the OS raised (they carry an errno code), as opposed to bugs.
export function isErrnoError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && errnoCode(err) !== undefined;
}

// Map an OS error to a FileSystemError (code = the errno name) whose message names only
// displayPath, never the resolved host path Node put in err.message. A BastionError passes
// through; an unrecognised errno gets a generic message naming the errno only. Anything else (a
// bug) becomes an FS_UNEXPECTED error keeping `cause`; use rethrowFileSystemError to keep bugs as bugs.
export function toFileSystemError(err: unknown, displayPath: string): BastionError {
  if (err instanceof BastionError) return err;
  const shown = formatDisplayPath(displayPath);
  const code = errnoCode(err);
  if (code !== undefined) {
    const template = ERRNO_MESSAGES[code];
    const message = template
      ? template(shown)
      : `The operating system refused the operation on ${shown} (${code}).`;
    return new FileSystemError(code, message, { cause: err });
  }
  return new FileSystemError('FS_UNEXPECTED', `Unexpected error while accessing ${shown}.`, {
    cause: err,
  });
}

// Throw the mapped error for OS errors and BastionErrors; rethrow anything else unchanged so the
// edge reports it as an internal error with a reference id.
export function rethrowFileSystemError(err: unknown, displayPath: string): never {
  if (err instanceof BastionError || errnoCode(err) !== undefined)
    throw toFileSystemError(err, displayPath);
  throw err;
}
