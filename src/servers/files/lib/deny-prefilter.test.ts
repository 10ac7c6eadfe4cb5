import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DENY_PATTERNS, LimitsSchema } from '../../../config/index.js';
import { createPathGuard } from '../../../policy/paths/index.js';
import { createWalkDenyCheck } from './deny-prefilter.js';

const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-deny-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SEGMENTS = [
  'a',
  'src',
  '.env',
  '.env.local',
  '.ENV',
  'x.pem',
  'X.PEM',
  'id_rsa.pub',
  '.ssh',
  '.SSH',
  '.aws',
  'credentials',
  '.netrc',
  'secrets',
  'keep',
  '.gnupg',
];
const PATTERN_SETS: string[][] = [
  [...DEFAULT_DENY_PATTERNS],
  ['secrets/**', '**/*.pem', '/abs/never/**'],
  ['**/a/credentials', 'src/*/x.pem', '**/.env*'],
  ['{a,src}/keep', '**/keep'],
];

// What a walk decides: an entry is hidden when it, or any directory above it (below the root),
// is denied, since a walk never enters a denied directory.
function walkHides(check: (abs: string, name: string) => boolean, segments: string[]): boolean {
  return segments.some((_, i) =>
    check(path.join(root, ...segments.slice(0, i + 1)), segments[i] ?? ''),
  );
}

describe('createWalkDenyCheck', () => {
  it.each(PATTERN_SETS.map((p) => [p.join(' ')] as const))(
    'hides exactly what the guard denies (%s)',
    (joined) => {
      const deny = joined.split(' ');
      const guard = createPathGuard({
        roots: [{ path: root, mode: 'read-write' }],
        deny,
        limits: LimitsSchema.parse({}),
      });
      const fast = createWalkDenyCheck(guard, deny);
      const exact = (abs: string): boolean => guard.isDenied(abs);
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 5 }),
          (segments) => {
            expect(walkHides(fast, segments)).toBe(walkHides(exact, segments));
          },
        ),
        { numRuns: 400 },
      );
    },
  );
});
