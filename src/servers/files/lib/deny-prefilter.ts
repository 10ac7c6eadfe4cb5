import picomatch from 'picomatch';
import type { PathGuard } from '../../../policy/paths/index.js';

// The last path segment a deny glob can match: for `**/.ssh/**` (which also denies `.ssh`
// itself) that is `.ssh`; for `**/*.pem`, `*.pem`. Globs whose last segment cannot be isolated
// (braces, parentheses) or that can match any name yield '*', meaning "always check fully".
function lastSegment(pattern: string): string {
  if (/[{}()]/.test(pattern)) return '*';
  const segments = pattern.split('/').filter((s) => s !== '');
  while (segments.length > 1 && segments[segments.length - 1] === '**') segments.pop();
  const last = segments[segments.length - 1] ?? '*';
  return last === '**' ? '*' : last;
}

// A deny check for tree walks that costs one small name match per entry instead of the guard's
// full check. Exact, not heuristic: an entry can only be denied by a glob whose last segment
// matches its name, or by a glob ending in `/**` that also denies one of its directories, and a
// walk never enters a denied directory. Entries whose name could match get guard.isDenied.
export function createWalkDenyCheck(
  guard: PathGuard,
  denyPatterns: readonly string[],
): (absPath: string, name: string) => boolean {
  if (denyPatterns.length === 0) return (absPath) => guard.isDenied(absPath);
  const couldMatch = compileNameMatcher(denyPatterns.map(lastSegment));
  return (absPath, name) => couldMatch(name) && guard.isDenied(absPath);
}

// One regular expression for all the name globs: picomatch's array matcher runs each glob in
// turn (2.4 ms for a 10,000-entry listing with the default deny list, against 0.3 ms). A name is
// a candidate when the alternation matches or it equals a glob literally, the two ways a
// picomatch matcher says yes; a candidate is then judged by the guard's full check anyway.
function compileNameMatcher(globs: readonly string[]): (name: string) => boolean {
  const regexes = [...new Set(globs)].map((glob) =>
    picomatch.makeRe(glob, { dot: true, nocase: true }),
  );
  const combined = new RegExp(
    regexes.map((re) => `(?:${re.source})`).join('|'),
    regexes[0]?.flags ?? 'i',
  );
  const literals = new Set(globs);
  return (name) => combined.test(name) || literals.has(name);
}
