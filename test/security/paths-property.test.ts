import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitsSchema } from '../../src/config/index.js';
import { InvalidInputError, PathOutsideRootsError } from '../../src/errors/index.js';
import { createPathGuard, isInside, type PathGuard } from '../../src/policy/paths/index.js';

const SEGMENTS = ['a', 'b', '..', '.', '', 'link-out', 'link-in', 'f'] as const;

let base: string;
let root: string;
let outside: string;
let guard: PathGuard;
const existing = new Set<string>();
const files = new Set<string>();
const links = new Map<string, string>();

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-paths-prop-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  for (const top of [root, outside]) {
    for (const rel of ['', 'a', 'b', 'a/a', 'a/b', 'b/a', 'b/b']) {
      const dir = path.join(top, rel);
      mkdirSync(dir, { recursive: true });
      existing.add(dir);
      writeFileSync(path.join(dir, 'f'), 'x');
      existing.add(path.join(dir, 'f'));
      files.add(path.join(dir, 'f'));
    }
  }
  const addLink = (at: string, target: string): void => {
    symlinkSync(target, at);
    links.set(at, target);
  };
  addLink(path.join(root, 'link-out'), outside);
  addLink(path.join(root, 'link-in'), path.join(root, 'a'));
  addLink(path.join(root, 'a/link-out'), path.join(outside, 'b'));
  addLink(path.join(root, 'a/link-in'), path.join(root, 'b'));
  addLink(path.join(root, 'b/link-in'), '../a/link-in');
  links.set(path.join(root, 'b/link-in'), path.join(root, 'b'));
  guard = createPathGuard({
    roots: [{ path: root, mode: 'read-write' }],
    deny: [],
    limits: LimitsSchema.parse({}),
  });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Expected =
  | { kind: 'invalid' }
  | { kind: 'outside' }
  | { kind: 'notdir' }
  | { kind: 'inside'; path: string; exists: boolean };

// Reference model of the documented semantics: `..` is folded lexically first, then every
// symlink met on the way is replaced by its (real) target.
function model(raw: string): Expected {
  if (raw === '') return { kind: 'invalid' };
  const lexical = path.resolve(root, raw);
  if (!isInsideByRelative(lexical, root)) return { kind: 'outside' };
  let current = root;
  let underFile = false;
  for (const part of path.relative(root, lexical).split(path.sep).filter(Boolean)) {
    if (files.has(current)) underFile = true;
    const next = path.join(current, part);
    current = links.get(next) ?? next;
    // A name below a file fails with ENOTDIR; judge it by the last real ancestor.
    if (underFile) break;
  }
  if (!isInsideByRelative(current, root)) return { kind: 'outside' };
  if (underFile) return { kind: 'notdir' };
  return { kind: 'inside', path: current, exists: existing.has(current) };
}

function isInsideByRelative(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !path.isAbsolute(rel));
}

describe('resolve against a reference model', () => {
  it('[PATH-TRAV-01] random relative paths are inside per the model or refused, never outside', async () => {
    const rawPath = fc
      .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 8 })
      .map((s) => s.join('/'));
    await fc.assert(
      fc.asyncProperty(rawPath, async (raw) => {
        const expected = model(raw);
        let result;
        try {
          result = await guard.resolve(raw, 'read');
        } catch (err) {
          if (expected.kind === 'invalid') expect(err).toBeInstanceOf(InvalidInputError);
          else if (expected.kind === 'notdir') expect(err).toMatchObject({ code: 'ENOTDIR' });
          else expect(err).toBeInstanceOf(PathOutsideRootsError);
          expect(expected.kind).not.toBe('inside');
          return;
        }
        expect(isInside(result.path, root)).toBe(true);
        expect(expected).toEqual({ kind: 'inside', path: result.path, exists: result.exists });
      }),
      { numRuns: 500 },
    );
  });

  it('[PATH-LINK-02] random absolute paths under the outside tree are always refused', async () => {
    const rawPath = fc
      .array(fc.constantFrom(...SEGMENTS), { maxLength: 6 })
      .map((s) => `${outside}/${s.join('/')}`);
    await fc.assert(
      fc.asyncProperty(rawPath, async (raw) => {
        const lexical = path.resolve(raw);
        const result = await guard.resolve(raw, 'write').catch((err: unknown) => err);
        if (isInside(lexical, root)) return;
        expect(result).toBeInstanceOf(PathOutsideRootsError);
      }),
      { numRuns: 200 },
    );
  });
});
