// Threats to the token store and the rate-limit counters behind the hub; every id has at least
// one test named `[ID] ...` (src/auth/**/*.test.ts, test/integration/token-cli.test.ts).
export const AUTH_THREATS = [
  {
    id: 'AUTH-TOKEN-01',
    description:
      'A token secret can be recovered from the token file, the last-use file, `token list` or stderr (the secret or its hash is stored or shown)',
  },
  {
    id: 'AUTH-TOKEN-02',
    description:
      'A forged token is accepted: a right id with a wrong secret, an unknown id, a string of another shape, or an oversized one',
  },
  {
    id: 'AUTH-TOKEN-03',
    description:
      'A revoked, rotated or expired token keeps working in a running hub for more than 2 seconds',
  },
  {
    id: 'AUTH-TOKEN-04',
    description:
      'The token file or its directory is readable by other users, or a token file others can write is trusted',
  },
  {
    id: 'AUTH-TOKEN-05',
    description:
      'A damaged token file is read as empty or as its last good version (which may still hold a revoked token) instead of failing with a clear error',
  },
  {
    id: 'AUTH-TOKEN-06',
    description:
      'Two writers at once (two CLIs, or a CLI and a crashed one) lose a token, tear the file, or wait forever on a dead lock',
  },
  {
    id: 'AUTH-RATE-01',
    description:
      'A flood of distinct keys (addresses, guessed tokens) grows the rate limiter without bound',
  },
  {
    id: 'AUTH-RATE-02',
    description:
      'One key spends another key’s budget, a double release frees a slot another request holds, or Retry-After is shorter than the real wait',
  },
] as const;
