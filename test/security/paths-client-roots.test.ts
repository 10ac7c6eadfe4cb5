import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathDeniedError, PathOutsideRootsError } from '../../src/errors/index.js';
import { createPathsFixture, readViaGuard, type PathsFixture } from './paths-fixture.js';
import { createPathGuard } from '../../src/policy/paths/index.js';

let fx: PathsFixture;
beforeAll(() => {
  fx = createPathsFixture();
  mkdirSync(path.join(fx.readOnlyRoot, 'sub'));
  writeFileSync(path.join(fx.readOnlyRoot, 'sub/x.txt'), 'x');
});
afterAll(() => fx.cleanup());

describe('setClientRoots', () => {
  it('[PATH-RO-02] narrows a configured root to a client root inside it, keeping its mode', async () => {
    const guard = createPathGuard(fx.config);
    guard.setClientRoots([
      pathToFileURL(path.join(fx.root, 'a')).href,
      path.join(fx.readOnlyRoot, 'sub'),
    ]);
    expect(guard.roots).toEqual([
      { path: path.join(fx.root, 'a'), mode: 'read-write' },
      { path: path.join(fx.readOnlyRoot, 'sub'), mode: 'read-only' },
    ]);
    // Relative paths now resolve against the first effective root.
    expect((await guard.resolve('file.txt', 'read')).path).toBe(path.join(fx.root, 'a/file.txt'));
    const { content, error } = await readViaGuard(guard, path.join(fx.root, 'hello.txt'));
    expect(content).toBeUndefined();
    expect(error).toBeInstanceOf(PathOutsideRootsError);
    await expect(
      guard.resolve(path.join(fx.readOnlyRoot, 'sub/x.txt'), 'write'),
    ).rejects.toBeInstanceOf(PathDeniedError);
  });

  it('[PATH-RO-02] never widens: a client root above a configured root keeps the configured root', () => {
    const guard = createPathGuard(fx.config);
    guard.setClientRoots([pathToFileURL(fx.base).href]);
    expect(guard.roots.map((r) => r.path)).toEqual([fx.root, fx.readOnlyRoot]);
    expect(guard.rootFor(fx.canary)).toBeUndefined();
  });

  it('[PATH-RO-02] unrelated, missing, relative or remote client roots are ignored; none overlapping means nothing is allowed', async () => {
    const guard = createPathGuard(fx.config);
    guard.setClientRoots([
      fx.outside,
      path.join(fx.root, 'missing'),
      'root',
      'file://evil.example/etc',
      '',
    ]);
    expect(guard.roots).toEqual([]);
    await expect(guard.resolve(path.join(fx.root, 'hello.txt'), 'read')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
    await expect(guard.resolve('hello.txt', 'read')).rejects.toBeInstanceOf(PathOutsideRootsError);
    const { content } = await readViaGuard(guard, fx.canary);
    expect(content).toBeUndefined();
    guard.setClientRoots([]);
    expect(guard.roots).toEqual([]);
    guard.setClientRoots(undefined);
    expect(guard.roots.map((r) => r.path)).toEqual([fx.root, fx.readOnlyRoot]);
  });

  it('[PATH-RO-02] a client root through a symlink counts by its real path', () => {
    const guard = createPathGuard(fx.config);
    guard.setClientRoots([path.join(fx.root, 'link-dir-out'), path.join(fx.root, 'link-in')]);
    expect(guard.roots).toEqual([{ path: path.join(fx.root, 'a'), mode: 'read-write' }]);
  });
});

describe('withClientRoots', () => {
  it('[PATH-RO-02] narrows for one call only: concurrent calls keep their own roots, later ones the configured', async () => {
    const guard = createPathGuard(fx.config);
    const a = path.join(fx.root, 'a');
    const seen: string[][] = [];
    // Two overlapping calls: each awaits (so their async work interleaves) and reads its roots.
    const inCall = (uri: string) =>
      guard.withClientRoots([uri], async () => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(guard.roots.map((root) => root.path));
        const { content, error } = await readViaGuard(guard, path.join(fx.root, 'hello.txt'));
        return { content, error };
      });
    const [narrow, wide] = await Promise.all([
      inCall(pathToFileURL(a).href),
      inCall(pathToFileURL(fx.base).href),
    ]);
    expect(narrow.content).toBeUndefined();
    expect(narrow.error).toBeInstanceOf(PathOutsideRootsError);
    // Security: a client root above the configured root never widens it.
    expect(wide.content).toBeDefined();
    expect(seen).toContainEqual([a]);
    expect(guard.roots).toEqual(fx.config.roots);
  });
});
