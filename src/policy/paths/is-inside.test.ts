import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInside } from './index.js';

// Independent reference: path.relative says how to get from parent to child.
function referenceInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

describe('isInside', () => {
  const TABLE: readonly [child: string, parent: string, inside: boolean][] = [
    ['/a/root', '/a/root', true],
    ['/a/root/', '/a/root', true],
    ['/a/root/x/y', '/a/root', true],
    ['/a/root/x/../y', '/a/root', true],
    ['/a/root2', '/a/root', false],
    ['/a/root-evil/x', '/a/root', false],
    ['/a/root/../root-evil', '/a/root', false],
    ['/a', '/a/root', false],
    ['/a/root//x', '/a/root/', true],
    ['/anything', '/', true],
    ['relative/x', '/a', false],
    ['/a/x', 'a', false],
    ['/a/..x', '/a', true],
  ];
  it.each(TABLE)('[PATH-PREFIX-01] isInside(%s, %s) = %s', (child, parent, inside) => {
    expect(isInside(child, parent)).toBe(inside);
  });

  it('[PATH-TRAV-01] agrees with a path.relative reference on random absolute paths', () => {
    const segment = fc.constantFrom('a', 'b', 'ab', 'a-b', '..', '.', '', '..a');
    const absolute = fc.array(segment, { maxLength: 6 }).map((segs) => `/${segs.join('/')}`);
    fc.assert(
      fc.property(absolute, absolute, (child, parent) => {
        expect(isInside(child, parent)).toBe(referenceInside(child, parent));
      }),
      { numRuns: 2000 },
    );
  });

  it('[PATH-PREFIX-01] a sibling that extends the parent name is never inside', () => {
    const name = fc.stringMatching(/^[a-z]{1,8}$/);
    fc.assert(
      fc.property(name, name, (parentName, suffix) => {
        expect(isInside(`/x/${parentName}${suffix}`, `/x/${parentName}`)).toBe(false);
        expect(isInside(`/x/${parentName}/${suffix}`, `/x/${parentName}`)).toBe(true);
      }),
    );
  });
});
