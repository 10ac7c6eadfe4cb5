import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileSystemError,
  InvalidInputError,
  PathDeniedError,
  PathOutsideRootsError,
} from '../../src/errors/index.js';
import { createPathsFixture, readViaGuard, type PathsFixture } from './paths-fixture.js';
import { createPathGuard } from '../../src/policy/paths/index.js';

let fx: PathsFixture;
beforeAll(() => {
  fx = createPathsFixture({ maxPathLength: 1024 });
});
afterAll(() => fx.cleanup());

type Refusal =
  | typeof PathOutsideRootsError
  | typeof PathDeniedError
  | typeof InvalidInputError
  | typeof FileSystemError;

// Each refused spelling must throw the right class AND never yield the canary through openForRead.
const REFUSED: readonly [id: string, raw: (f: PathsFixture) => string, error: Refusal][] = [
  ['[PATH-TRAV-01]', () => '../outside/secret.txt', PathOutsideRootsError],
  ['[PATH-TRAV-01]', () => '..//outside/secret.txt', PathOutsideRootsError],
  ['[PATH-TRAV-01]', () => 'a/../../outside/secret.txt', PathOutsideRootsError],
  ['[PATH-TRAV-01]', () => './../outside/secret.txt', PathOutsideRootsError],
  ['[PATH-TRAV-01]', () => 'a/b/../../../outside/secret.txt', PathOutsideRootsError],
  ['[PATH-TRAV-02]', (f) => f.canary, PathOutsideRootsError],
  ['[PATH-TRAV-02]', (f) => `${f.root}/../outside/secret.txt`, PathOutsideRootsError],
  ['[PATH-TRAV-02]', (f) => `${f.root}/a/../../outside//secret.txt/`, PathOutsideRootsError],
  ['[PATH-TRAV-02]', () => '/etc/passwd', PathOutsideRootsError],
  ['[PATH-TRAV-02]', () => '/root/../etc/passwd', PathOutsideRootsError],
  ['[PATH-TRAV-03]', (f) => `file://${f.canary}`, PathOutsideRootsError],
  ['[PATH-TRAV-03]', (f) => `file://${f.root}/%2e%2e/outside/secret.txt`, PathOutsideRootsError],
  ['[PATH-TRAV-03]', (f) => `file://evil.example${f.canary}`, InvalidInputError],
  ['[PATH-PREFIX-01]', (f) => `${f.rootEvil}/secret.txt`, PathOutsideRootsError],
  ['[PATH-PREFIX-01]', () => '../root-evil/secret.txt', PathOutsideRootsError],
  ['[PATH-PREFIX-01]', () => 'link-evil/secret.txt', PathOutsideRootsError],
  ['[PATH-LINK-01]', () => 'link-file-out', PathOutsideRootsError],
  ['[PATH-LINK-02]', () => 'link-dir-out/secret.txt', PathOutsideRootsError],
  ['[PATH-LINK-02]', () => 'link-dir-out', PathOutsideRootsError],
  ['[PATH-LINK-03]', () => 'chain1', PathOutsideRootsError],
  ['[PATH-LINK-04]', () => 'loop1', FileSystemError],
  ['[PATH-LINK-04]', () => 'loop1/x', FileSystemError],
  ['[PATH-DENY-01]', () => '.env', PathDeniedError],
  ['[PATH-DENY-01]', () => '.env.local', PathDeniedError],
  ['[PATH-DENY-01]', () => 'a/../.env', PathDeniedError],
  ['[PATH-DENY-02]', () => 'nested/.ssh/id_rsa', PathDeniedError],
  ['[PATH-DENY-02]', () => 'nested/.ssh', PathDeniedError],
  ['[PATH-DENY-03]', () => 'cert.pem', PathDeniedError],
  ['[PATH-DENY-04]', () => 'innocent', PathDeniedError],
  ['[PATH-INPUT-01]', () => 'hello.txt\0../../outside/secret.txt', InvalidInputError],
  ['[PATH-INPUT-01]', (f) => `file://${f.root}/hello.txt%00x`, InvalidInputError],
  ['[PATH-INPUT-02]', () => 'a/'.repeat(600), InvalidInputError],
  ['[PATH-INPUT-03]', () => '~', InvalidInputError],
  ['[PATH-INPUT-03]', () => '~/outside/secret.txt', InvalidInputError],
  ['[PATH-INPUT-03]', () => '~root/.bashrc', InvalidInputError],
  ['[PATH-INPUT-04]', () => '', InvalidInputError],
];

describe('resolve refuses', () => {
  it.each(REFUSED)('%s refuses %#', async (_id, raw, errorClass) => {
    const rawPath = raw(fx);
    await expect(fx.guard.resolve(rawPath, 'read')).rejects.toBeInstanceOf(errorClass);
    const { content, error } = await readViaGuard(fx.guard, rawPath);
    expect(content ?? '').not.toContain(fx.secret);
    expect(error).toBeInstanceOf(errorClass);
    // The message names at most what was asked: never the canary's host path or the secret.
    if (!rawPath.includes(fx.outside))
      expect(String((error as Error).message)).not.toContain(fx.outside);
    expect(String((error as Error).message)).not.toContain(fx.secret);
  });
});

describe('resolve accepts and canonicalises', () => {
  const ACCEPTED: readonly [
    raw: (f: PathsFixture) => string,
    expected: (f: PathsFixture) => string,
    exists: boolean,
  ][] = [
    [() => 'hello.txt', (f) => `${f.root}/hello.txt`, true],
    [() => './a//b/../file.txt', (f) => `${f.root}/a/file.txt`, true],
    [() => 'a/b/', (f) => `${f.root}/a/b`, true],
    [() => '.', (f) => f.root, true],
    [(f) => `${f.root}/`, (f) => f.root, true],
    [(f) => `file://${f.root}/a/file.txt`, (f) => `${f.root}/a/file.txt`, true],
    [(f) => `file://localhost${f.root}/hello.txt`, (f) => `${f.root}/hello.txt`, true],
    [() => 'link-in/file.txt', (f) => `${f.root}/a/file.txt`, true],
    [() => '%2e%2e/outside', (f) => `${f.root}/%2e%2e/outside`, false],
    [() => './~name', (f) => `${f.root}/~name`, false],
    [() => 'new/deeper/file.txt', (f) => `${f.root}/new/deeper/file.txt`, false],
    [() => 'link-in/new.txt', (f) => `${f.root}/a/new.txt`, false],
    [() => 'dangling-in', (f) => `${f.root}/a/new-from-link.txt`, false],
    [(f) => `${f.readOnlyRoot}/ro.txt`, (f) => `${f.readOnlyRoot}/ro.txt`, true],
  ];
  it.each(ACCEPTED)('accepts %#', async (raw, expected, exists) => {
    const resolved = await fx.guard.resolve(raw(fx), 'read');
    expect(resolved).toMatchObject({ path: expected(fx), exists });
  });

  it('picks the deepest root and the first root for relative paths', async () => {
    const nestedRo = { path: path.join(fx.root, 'a'), mode: 'read-only' as const };
    const guard = createPathGuard({ ...fx.config, roots: [...fx.config.roots, nestedRo] });
    expect((await guard.resolve('hello.txt', 'read')).root.path).toBe(fx.root);
    expect((await guard.resolve('a/file.txt', 'read')).root).toEqual(nestedRo);
    await expect(guard.resolve('a/file.txt', 'write')).rejects.toBeInstanceOf(PathDeniedError);
  });
});

describe('non-string input', () => {
  it.each([undefined, null, 42, ['a'], { path: 'a' }])(
    '[PATH-INPUT-04] refuses %j without coercion',
    async (raw) => {
      await expect(fx.guard.resolve(raw as unknown as string, 'read')).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    },
  );
});

describe('write intent', () => {
  it('[PATH-RO-01] refuses writes in a read-only root, including a relative path into it', async () => {
    await expect(fx.guard.resolve(`${fx.readOnlyRoot}/ro.txt`, 'write')).rejects.toBeInstanceOf(
      PathDeniedError,
    );
    await expect(fx.guard.resolve('../ro/new.txt', 'write')).rejects.toBeInstanceOf(
      PathDeniedError,
    );
    await expect(fx.guard.writeFileAtomic(`${fx.readOnlyRoot}/ro.txt`, 'x')).rejects.toBeInstanceOf(
      PathDeniedError,
    );
    await expect(
      fx.guard.writeFileAtomic(`${fx.readOnlyRoot}/new.txt`, 'x'),
    ).rejects.toBeInstanceOf(PathDeniedError);
    expect(existsSync(`${fx.readOnlyRoot}/new.txt`)).toBe(false);
    await expect(fx.guard.resolve(`${fx.readOnlyRoot}/ro.txt`, 'read')).resolves.toMatchObject({
      exists: true,
    });
  });

  it('[PATH-LINK-05] a dangling link pointing outside is judged by its target; writing through it creates nothing outside', async () => {
    await expect(fx.guard.resolve('dangling-out', 'write')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
    await expect(fx.guard.writeFileAtomic('dangling-out', 'pwned')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
    await expect(
      fx.guard.writeFileAtomic('dangling-out', 'pwned', { mode: 'create' }),
    ).rejects.toBeInstanceOf(PathOutsideRootsError);
    await expect(
      fx.guard.writeFileAtomic('dangling-out', 'pwned', { mode: 'append' }),
    ).rejects.toBeInstanceOf(PathOutsideRootsError);
    expect(existsSync(path.join(fx.outside, 'created-by-write.txt'))).toBe(false);
  });

  it('[PATH-LINK-01] writing through a link to an outside file leaves the canary intact', async () => {
    await expect(fx.guard.writeFileAtomic('link-file-out', 'overwritten')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
    await expect(fx.guard.writeFileAtomic('link-dir-out/new.txt', 'x')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(fx.canary, 'utf8')).toBe(fx.secret);
    expect(existsSync(path.join(fx.outside, 'new.txt'))).toBe(false);
  });
});

describe('isDenied and rootFor', () => {
  const DENY_TABLE: readonly [rel: string, denied: boolean][] = [
    ['.env', true],
    ['sub/dir/.env', true],
    ['.env.production', true],
    ['.ENV', true],
    ['keys/Server.PEM', true],
    ['.ssh', true],
    ['deep/.ssh/known_hosts', true],
    ['env', false],
    ['.envrc', false],
    ['.env/inside-a-denied-dir.txt', true],
    ['a/.ssh', true],
    ['my.env.txt', false],
    ['notes.pem.txt', false],
    ['ssh/config', false],
    ['hello.txt', false],
  ];
  it.each(DENY_TABLE)('[PATH-DENY-05] %s denied=%s (case-insensitive, nested)', (rel, denied) => {
    expect(fx.guard.isDenied(path.join(fx.root, rel))).toBe(denied);
  });

  it('[PATH-DENY-05] matches absolute patterns and refuses relative input', () => {
    const guard = createPathGuard({ ...fx.config, deny: [`${fx.root}/private/**`] });
    expect(guard.isDenied(`${fx.root}/private/x`)).toBe(true);
    expect(guard.isDenied(`${fx.root}/public/x`)).toBe(false);
    expect(guard.isDenied('relative/x')).toBe(true);
  });

  it('[PATH-PREFIX-01] rootFor is segment-based', () => {
    expect(fx.guard.rootFor(`${fx.root}/x`)?.path).toBe(fx.root);
    expect(fx.guard.rootFor(fx.root)?.path).toBe(fx.root);
    expect(fx.guard.rootFor(`${fx.rootEvil}/x`)).toBeUndefined();
    expect(fx.guard.rootFor(fx.base)).toBeUndefined();
  });
});

describe('symlink chains and odd names', () => {
  it('[PATH-LINK-04] follows a long chain inside the root but refuses more than 40 dangling hops', async () => {
    const chainDir = path.join(fx.root, 'chains');
    mkdirSync(chainDir);
    writeFileSync(path.join(chainDir, 'end.txt'), 'end');
    symlinkSync('end.txt', path.join(chainDir, 'ok-30'));
    for (let i = 29; i >= 0; i -= 1) symlinkSync(`ok-${i + 1}`, path.join(chainDir, `ok-${i}`));
    await expect(fx.guard.resolve('chains/ok-0', 'read')).resolves.toMatchObject({
      path: path.join(chainDir, 'end.txt'),
      exists: true,
    });
    // 45 links ending in a missing name: only the hop budget stops the dangling-link walk.
    for (let i = 0; i < 45; i += 1) symlinkSync(`long-${i + 1}`, path.join(chainDir, `long-${i}`));
    await expect(fx.guard.resolve('chains/long-0', 'write')).rejects.toMatchObject({
      code: 'ELOOP',
    });
    // A dangling chain whose last hop points outside is judged by that last hop.
    symlinkSync(path.join(fx.outside, 'new-via-chain.txt'), path.join(chainDir, 'out-2'));
    symlinkSync('out-2', path.join(chainDir, 'out-1'));
    await expect(fx.guard.writeFileAtomic('chains/out-1', 'x')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
    expect(existsSync(path.join(fx.outside, 'new-via-chain.txt'))).toBe(false);
  });

  it('[PATH-INPUT-02] an over-long name is a clear ENAMETOOLONG, an encoded slash in a URI is invalid', async () => {
    await expect(fx.guard.resolve(`${'n'.repeat(300)}.txt`, 'write')).rejects.toMatchObject({
      code: 'ENAMETOOLONG',
    });
    await expect(fx.guard.resolve(`file://${fx.root}/a%2Ffile.txt`, 'read')).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('[PATH-ERR-01] probing outside paths gives one answer whether they exist or not', async () => {
    for (const probe of [
      fx.canary,
      `${fx.canary}/x`,
      `${fx.outside}/missing`,
      '/proc/1/root/etc',
    ]) {
      await expect(fx.guard.resolve(probe, 'read')).rejects.toBeInstanceOf(PathOutsideRootsError);
    }
    await expect(fx.guard.resolve('link-file-out/x', 'read')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
  });
});

describe('deny by spelling', () => {
  it('[PATH-DENY-04] a denied name that is a link to an allowed directory stays denied', async () => {
    mkdirSync(path.join(fx.root, 'cfg'));
    symlinkSync(path.join(fx.root, 'a'), path.join(fx.root, 'cfg/.ssh'));
    await expect(fx.guard.resolve('cfg/.ssh/file.txt', 'read')).rejects.toBeInstanceOf(
      PathDeniedError,
    );
    const { content } = await readViaGuard(fx.guard, 'cfg/.ssh/file.txt');
    expect(content).toBeUndefined();
    // The same file by its own name is fine: the rule is about the spelling and the real path.
    await expect(fx.guard.resolve('a/file.txt', 'read')).resolves.toMatchObject({ exists: true });
  });
});
