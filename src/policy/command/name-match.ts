import path from 'node:path';
import picomatch from 'picomatch';
import type { FoundCommand } from './types.js';

const GLOB_CHARS = /[*?[]/;

// True when a policy entry names this command: by basename or full path, or by glob (`mkfs.*`).
// Denylist matching ignores case: on case-insensitive file systems `RM` runs `rm`.
export function matchesEntry(found: FoundCommand, entry: string, ignoreCase: boolean): boolean {
  if (found.name === null) return false;
  const original = found.argv[0] ?? found.name;
  if (GLOB_CHARS.test(entry)) {
    const target = entry.includes('/') ? original : found.name;
    return picomatch.isMatch(target, entry, { dot: true, nocase: ignoreCase });
  }
  const same = (a: string, b: string): boolean =>
    ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b;
  return same(found.name, entry) || same(original, entry);
}

// The first entry of `list` that names `found`, if any.
export function findEntry(
  found: FoundCommand,
  list: readonly string[],
  ignoreCase: boolean,
): string | undefined {
  return list.find((entry) => matchesEntry(found, entry, ignoreCase));
}

// For a dynamic name built from globs or braces (`/b?n/r?`, `{r,}m`): the entries it could become.
export function patternCouldBe(pattern: string, list: readonly string[]): string | undefined {
  const base = path.posix.basename(pattern.replace(/^~[^/]*\/?/, '')) || pattern;
  try {
    const isMatch = picomatch(base, { dot: true, nocase: true });
    return list.find((entry) => !GLOB_CHARS.test(entry) && isMatch(entry));
  } catch {
    return undefined;
  }
}

// Denied names written as whole words, for text we could not parse or inline code we could not follow.
export function findDeniedWord(
  words: readonly (string | null)[],
  deny: readonly string[],
): string | undefined {
  for (const word of words) {
    if (word === null) continue;
    const probe: FoundCommand = {
      name: path.posix.basename(word) || word,
      argv: [word],
      dynamic: false,
      text: word,
    };
    const entry = findEntry(probe, deny, true);
    if (entry !== undefined) return entry;
  }
  return undefined;
}
