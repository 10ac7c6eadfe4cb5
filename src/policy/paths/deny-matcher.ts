import path from 'node:path';
import picomatch from 'picomatch';

// A compiled set of deny globs. Matching is case-insensitive on purpose: on case-insensitive
// file systems (macOS, Windows shares) `.ENV` opens `.env`, and over-refusing `.ENV` on Linux
// costs little. Patterns match with dot: true, so `**` also crosses hidden directories.
export type DenyMatcher = (relativePath: string, absolutePath: string) => boolean;

// Compile the deny globs once per guard. A pattern ending in `/**` also denies the directory
// itself (`**/.ssh/**` refuses listing `.ssh`, not only its files).
export function createDenyMatcher(patterns: readonly string[]): DenyMatcher {
  const expanded = new Set<string>();
  for (const pattern of patterns) {
    expanded.add(pattern);
    if (pattern.endsWith('/**') && pattern.length > 3) expanded.add(pattern.slice(0, -3));
  }
  if (expanded.size === 0) return () => false;
  const isMatch = picomatch([...expanded], { dot: true, nocase: true });
  return (relativePath, absolutePath) => {
    // Security: match both the root-relative form (`**/.env` at the root's top) and the absolute
    // form (absolute patterns like `/srv/secrets/**`), so no spelling of a secret slips through.
    if (relativePath !== '' && isMatch(relativePath)) return true;
    if (isMatch(absolutePath)) return true;
    const withoutLeadingSlash = absolutePath.replace(/^\/+/, '');
    return withoutLeadingSlash !== '' && isMatch(withoutLeadingSlash);
  };
}

// The path of absPath relative to rootPath with '/' separators ('' for the root itself).
export function relativeToRoot(absPath: string, rootPath: string): string {
  return path.relative(rootPath, absPath).split(path.sep).join('/');
}
