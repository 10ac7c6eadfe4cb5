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
  const couldMatch = picomatch(denyPatterns.map(lastSegment), { dot: true, nocase: true });
  return (absPath, name) => couldMatch(name) && guard.isDenied(absPath);
}
