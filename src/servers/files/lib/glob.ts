import picomatch from 'picomatch';

// Exclusion like the official server's directory_tree: a pattern with '*' matches the relative
// path; a bare name matches that name (or path) anywhere, including everything below it.
export function compileExcludes(
  patterns: readonly string[],
): ((relative: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const expanded = patterns.flatMap((p) => (p.includes('*') ? [p] : [p, `**/${p}`, `**/${p}/**`]));
  return picomatch(expanded, { dot: true });
}

// A search glob: with a '/', it matches the path relative to the search directory; without one,
// it matches the entry's name at any depth (`*.ts` finds every .ts file, like find -name).
export function compileSearchGlob(pattern: string): (relative: string) => boolean {
  // picomatch's basename option would also apply to patterns with '/', so choose explicitly.
  return pattern.includes('/')
    ? picomatch(pattern, { dot: true })
    : picomatch(pattern, { dot: true, basename: true });
}
