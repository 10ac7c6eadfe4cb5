// Threats the path security core (src/policy/paths) defends against; every id needs a test whose
// name starts with `[ID]` (the lead's coverage test checks this).
export const PATH_THREATS = [
  {
    id: 'PATH-TRAV-01',
    description: 'Relative traversal (`../`, `..//`, `a/../../`, `./../`) escapes the root.',
  },
  {
    id: 'PATH-TRAV-02',
    description: 'Absolute path outside every root, or an absolute path that climbs out via `..`.',
  },
  {
    id: 'PATH-TRAV-03',
    description:
      'file:// URI tricks: outside targets, encoded `..`, remote hosts; literal `%2e%2e` is not decoded in plain paths.',
  },
  {
    id: 'PATH-PREFIX-01',
    description:
      'Sibling sharing a string prefix with the root (`root-evil` vs `root`) is treated as inside.',
  },
  {
    id: 'PATH-LINK-01',
    description:
      'A file symlink inside the root points to a file outside (read or overwrite the target).',
  },
  {
    id: 'PATH-LINK-02',
    description:
      'A directory symlink inside the root points outside; reading or listing through it.',
  },
  { id: 'PATH-LINK-03', description: 'A chain of symlinks whose last hop ends outside the root.' },
  {
    id: 'PATH-LINK-04',
    description: 'A symlink loop hangs or crashes the resolver instead of a clear ELOOP refusal.',
  },
  {
    id: 'PATH-LINK-05',
    description:
      'A dangling symlink pointing outside: a write through it would create a file outside.',
  },
  {
    id: 'PATH-RACE-01',
    description:
      'A file swapped for a symlink to the canary between the check and the open (TOCTOU read).',
  },
  {
    id: 'PATH-RACE-02',
    description:
      'The parent directory swapped for a symlink to an outside directory during an atomic write.',
  },
  {
    id: 'PATH-RACE-03',
    description: 'A FIFO or device in the root hangs the server on open or is read as a file.',
  },
  { id: 'PATH-DENY-01', description: '.env and .env.* secrets are readable or writable.' },
  {
    id: 'PATH-DENY-02',
    description: 'Files in a nested .ssh directory, or the .ssh directory itself, are reachable.',
  },
  { id: 'PATH-DENY-03', description: 'Private keys (*.pem) are readable.' },
  {
    id: 'PATH-DENY-04',
    description:
      'A denied file is reached through an innocently named symlink, or a denied name links elsewhere.',
  },
  {
    id: 'PATH-DENY-05',
    description: 'Deny globs are bypassed by case variants, nesting or absolute spellings.',
  },
  {
    id: 'PATH-RO-01',
    description: 'A write lands in a read-only root (directly, relatively, or via a link).',
  },
  {
    id: 'PATH-RO-02',
    description: 'Client (MCP) roots widen access or turn a read-only root writable.',
  },
  {
    id: 'PATH-INPUT-01',
    description: 'NUL bytes (raw or %00 in a URI) truncate the path at the syscall.',
  },
  { id: 'PATH-INPUT-02', description: 'An oversized path exhausts CPU or memory.' },
  { id: 'PATH-INPUT-03', description: "`~` or `~user` expands to the server's home directory." },
  {
    id: 'PATH-INPUT-04',
    description:
      'Empty or non-string paths are coerced into something meaningful (cwd, "undefined").',
  },
  { id: 'PATH-INPUT-05', description: 'Non-UTF-8 file names crash a listing.' },
  {
    id: 'PATH-ERR-01',
    description: 'Error messages leak host paths outside the roots, stack traces or secrets.',
  },
  {
    id: 'PATH-WRITE-01',
    description: 'A failed or interrupted write leaves a torn target or temp files behind.',
  },
  {
    id: 'PATH-WRITE-02',
    description: 'A write exceeds the configured maxWriteBytes (disk exhaustion).',
  },
] as const;
