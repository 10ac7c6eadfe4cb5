import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, PathOutsideRootsError } from '../../errors/index.js';
import { formatDisplayPath } from './fs-errors.js';

// Check untrusted input can be a path at all and decode a file:// URI; the result is still
// relative or absolute as given, not normalised. Shared by every caller that takes a raw path.
export function validateRawPathText(rawPath: unknown, maxPathLength: number): string {
  // Security: non-string input (arrays, objects) could slip past string checks via coercion.
  if (typeof rawPath !== 'string') {
    throw new InvalidInputError(
      `Expected a path string, got ${rawPath === null ? 'null' : typeof rawPath}.`,
    );
  }
  if (rawPath.length === 0)
    throw new InvalidInputError('Expected a non-empty path, got an empty string.');
  // Security: a huge path is a cheap CPU/memory attack on every later step; cap before any work.
  if (rawPath.length > maxPathLength) {
    throw new InvalidInputError(
      `Expected a path of at most ${maxPathLength} characters, got ${rawPath.length}.`,
    );
  }
  // Security: NUL truncates C strings: `safe.txt\0/../../etc/passwd` must never reach a syscall.
  if (rawPath.includes('\0')) {
    throw new InvalidInputError(
      `Expected a path without NUL bytes, got ${formatDisplayPath(rawPath)}.`,
    );
  }
  let candidate = rawPath;
  if (/^file:/i.test(candidate)) candidate = parseFileUri(rawPath);
  // Security: `~` would mean the SERVER's home, not the agent's idea of home; never expand it.
  if (candidate.startsWith('~')) {
    throw new InvalidInputError(
      `Expected a path inside an allowed root, got ${formatDisplayPath(rawPath)}: '~' is not expanded. ` +
        `Use an absolute path inside a root, or a path relative to the first root (write ./~name for a file named ~name).`,
    );
  }
  return candidate;
}

// Turn untrusted input into an absolute, lexically normalised path (no fs access yet): `..`, `.`,
// duplicate and trailing slashes are folded; relative paths resolve against `base` (the first
// effective root). Throws InvalidInputError for input that cannot be a path.
export function parseRawPath(
  rawPath: unknown,
  maxPathLength: number,
  base: string | undefined,
): string {
  const candidate = validateRawPathText(rawPath, maxPathLength);
  if (path.isAbsolute(candidate)) return path.resolve(candidate);
  // Security: with no effective root there is nothing a relative path may mean; never fall back to cwd.
  if (base === undefined) {
    throw new PathOutsideRootsError(
      `Path ${formatDisplayPath(candidate)} is outside the allowed roots: no root is currently allowed.`,
    );
  }
  return path.resolve(base, candidate);
}

// Accept `file:///abs/path` and `file://localhost/abs/path`; percent-escapes are decoded here only.
function parseFileUri(rawUri: string): string {
  let url: URL;
  try {
    url = new URL(rawUri);
  } catch {
    throw new InvalidInputError(
      `Expected a file:// URI like file:///dir/name, got ${formatDisplayPath(rawUri)}.`,
    );
  }
  // Security: a remote host (file://server/share) would be a UNC path elsewhere; only local files.
  if (url.host !== '' && url.host !== 'localhost') {
    throw new InvalidInputError(
      `Expected a local file:// URI without a host, got host ${JSON.stringify(url.host)}.`,
    );
  }
  let decoded: string;
  try {
    // Security: fileURLToPath refuses an encoded '/' (%2F), so escapes cannot smuggle separators.
    decoded = fileURLToPath(url);
  } catch {
    throw new InvalidInputError(`Expected a valid file:// URI, got ${formatDisplayPath(rawUri)}.`);
  }
  // Security: %00 decodes to NUL; re-check after decoding.
  if (decoded.includes('\0')) {
    throw new InvalidInputError(
      `Expected a path without NUL bytes, got ${formatDisplayPath(rawUri)}.`,
    );
  }
  return decoded;
}
