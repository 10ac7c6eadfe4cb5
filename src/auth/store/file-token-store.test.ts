import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidStateFileError } from '../../errors/index.js';
import type { TokenStore } from '../types.js';
import { createFileTokenStore } from './file-token-store.js';
import { lastUsedFilePath, lockFilePath, tokenFilePath } from './token-file-path.js';

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const ALL = { servers: ['files', 'shell'] as const, readOnly: false };

let stateDir: string;
let file: string;
let clock: { ms: number };
const stores: TokenStore[] = [];

function open(extra: { lockTimeoutMs?: number } = {}): TokenStore {
  const store = createFileTokenStore({ file, now: () => clock.ms, ...extra });
  stores.push(store);
  return store;
}

beforeEach(() => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'bastion-tokens-'));
  file = tokenFilePath(stateDir);
  clock = { ms: T0 };
});

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((s) => s.close()));
  rmSync(stateDir, { recursive: true, force: true });
});

describe('file token store', () => {
  it('[AUTH-TOKEN-01] creates a token whose secret verifies to its principal; the file keeps only a hash', async () => {
    const store = open();
    const { secret, info } = await store.create('ci', { servers: ['files'], readOnly: true });
    expect(secret).toMatch(/^bst_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(info).toEqual({
      tokenName: 'ci',
      servers: ['files'],
      readOnly: true,
      createdAt: '2026-06-01T12:00:00.000Z',
    });
    expect(await store.verify(secret)).toEqual({
      tokenName: 'ci',
      servers: ['files'],
      readOnly: true,
    });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(secret.slice(21));
    expect(text).toContain(secret.slice(4, 20));
  });

  it('[AUTH-TOKEN-04] keeps the directory 0700 and the token and last-use files 0600, and leaves no lock', async () => {
    const store = open();
    const { secret } = await store.create('ci', ALL);
    await store.verify(secret);
    await store.close();
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(lastUsedFilePath(file)).mode & 0o777).toBe(0o600);
    expect(() => statSync(lockFilePath(file))).toThrow(/ENOENT/);
  });

  it('[AUTH-TOKEN-02] refuses a right id with a wrong secret, an unknown id, and strings of the wrong shape', async () => {
    const store = open();
    const { secret } = await store.create('ci', ALL);
    const id = secret.slice(4, 20);
    const forged = `bst_${id}_${'A'.repeat(43)}`;
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    expect(await store.verify(forged)).toBeUndefined();
    expect(await store.verify(flipped)).toBeUndefined();
    expect(await store.verify(`bst_${'0'.repeat(16)}_${secret.slice(21)}`)).toBeUndefined();
    for (const raw of [
      '',
      'bst_',
      secret.slice(0, -1),
      `${secret}A`,
      secret.toUpperCase(),
      `Bearer ${secret}`,
      ` ${secret}`,
      secret.replace('bst_', 'bsx_'),
      'x'.repeat(100_000),
    ])
      expect(await store.verify(raw)).toBeUndefined();
    expect(await store.verify(secret)).toBeDefined();
  });

  it('[AUTH-TOKEN-03] refuses an expired token at verify time, using the clock', async () => {
    const store = open();
    const { secret, info } = await store.create('short', { ...ALL, expiresInMs: 60_000 });
    expect(info.expiresAt).toBe('2026-06-01T12:01:00.000Z');
    clock.ms = T0 + 59_999;
    expect(await store.verify(secret)).toBeDefined();
    clock.ms = T0 + 60_000;
    expect(await store.verify(secret)).toBeUndefined();
    // Still listed, so the operator sees it expired.
    expect((await store.list()).map((t) => t.tokenName)).toEqual(['short']);
  });

  it('[AUTH-TOKEN-03] revokes: the secret stops working, the name is free again, unknown names say false', async () => {
    const store = open();
    const { secret } = await store.create('ci', ALL);
    expect(await store.revoke('ci')).toBe(true);
    expect(await store.verify(secret)).toBeUndefined();
    expect(await store.revoke('ci')).toBe(false);
    expect(await store.list()).toEqual([]);
    await store.create('ci', ALL);
  });

  it('[AUTH-TOKEN-03] rotates: a new id and secret, same name, scopes and expiry; the old secret is dead', async () => {
    const store = open();
    const made = await store.create('ci', {
      servers: ['dashboard'],
      readOnly: true,
      expiresInMs: 3_600_000,
    });
    clock.ms = T0 + 5000;
    const rotated = await store.rotate('ci');
    expect(rotated.secret.slice(4, 20)).not.toBe(made.secret.slice(4, 20));
    expect(rotated.info).toEqual({
      ...made.info,
      rotatedAt: '2026-06-01T12:00:05.000Z',
    });
    expect(await store.verify(made.secret)).toBeUndefined();
    expect(await store.verify(rotated.secret)).toEqual({
      tokenName: 'ci',
      servers: ['dashboard'],
      readOnly: true,
    });
    await expect(store.rotate('nope')).rejects.toThrow(
      'expected the name of an existing token (see `bastion token list`), got "nope"',
    );
  });

  it('validates names, duplicates (case-insensitively), scopes and lifetimes', async () => {
    const store = open();
    for (const name of ['', '-x', '.x', 'a b', 'a/b', 'é', 'x'.repeat(65)])
      await expect(store.create(name, ALL)).rejects.toBeInstanceOf(InvalidInputError);
    await store.create('x'.repeat(64), ALL);
    await store.create('Ci.bot_1-a', ALL);
    await expect(store.create('ci.BOT_1-a', ALL)).rejects.toThrow(/which exists/);
    await expect(store.create('none', { servers: [], readOnly: false })).rejects.toThrow(
      'expected at least one server for the token, got none',
    );
    await expect(
      store.create('bad', { servers: ['files', 'root' as 'files'], readOnly: false }),
    ).rejects.toThrow('expected servers among files, shell, dashboard, got "root"');
    await expect(store.create('zero', { ...ALL, expiresInMs: 0 })).rejects.toThrow(
      /positive lifetime/,
    );
  });

  it('[AUTH-TOKEN-03] another store on the same file sees creates, revokes and rotations within the reload window', async () => {
    const hub = open();
    const cli = open();
    expect(await hub.verify('bst_0000000000000000_' + 'A'.repeat(43))).toBeUndefined();
    const { secret } = await cli.create('ci', ALL);
    clock.ms += 1000;
    expect(await hub.verify(secret)).toBeDefined();
    await cli.revoke('ci');
    clock.ms += 1000;
    expect(await hub.verify(secret)).toBeUndefined();
    const again = await cli.create('ci', ALL);
    clock.ms += 1000;
    expect(await hub.verify(again.secret)).toBeDefined();
    const rotated = await cli.rotate('ci');
    clock.ms += 1000;
    expect(await hub.verify(again.secret)).toBeUndefined();
    expect(await hub.verify(rotated.secret)).toBeDefined();
  });

  it('[AUTH-TOKEN-03] a token made by another store works at once, within the reload window', async () => {
    const hub = open();
    const cli = open();
    expect(await hub.verify('bst_0000000000000000_' + 'A'.repeat(43))).toBeUndefined();
    const { secret } = await cli.create('fresh', ALL);
    // No time has passed: the hub's cached file is younger than the reload window.
    expect(await hub.verify(secret)).toMatchObject({ tokenName: 'fresh' });
  });

  it('records last use in memory and a side file, never in the token file', async () => {
    const hub = open();
    const { secret } = await hub.create('ci', ALL);
    const before = readFileSync(file, 'utf8');
    const stamp = statSync(file).mtimeMs;
    clock.ms = T0 + 42_000;
    await hub.verify(secret);
    expect((await hub.list())[0]?.lastUsedAt).toBe('2026-06-01T12:00:42.000Z');
    await hub.close();
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(statSync(file).mtimeMs).toBe(stamp);
    const cli = open();
    expect((await cli.list())[0]?.lastUsedAt).toBe('2026-06-01T12:00:42.000Z');
    // A revoked token's last use is forgotten at the next flush.
    await cli.revoke('ci');
    const other = await cli.create('other', ALL);
    await cli.verify(other.secret);
    await cli.close();
    expect(Object.keys(JSON.parse(readFileSync(lastUsedFilePath(file), 'utf8')))).toEqual([
      other.secret.slice(4, 20),
    ]);
  });

  it('[AUTH-TOKEN-05] reports a corrupt file as an error, never as an empty store, and fails closed in a running store', async () => {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, '{"version": 1, "tokens": ', { mode: 0o600 });
    const store = open();
    await expect(store.list()).rejects.toBeInstanceOf(InvalidStateFileError);
    await expect(store.list()).rejects.toThrow(`expected a token file (JSON) in ${file}`);
    await expect(store.create('ci', ALL)).rejects.toThrow(/unparseable/);
    writeFileSync(file, JSON.stringify({ version: 1, tokens: { abc: {} } }), { mode: 0o600 });
    await expect(store.list()).rejects.toThrow(/expected a token file in .*: tokens/);

    rmSync(file);
    const hub = open();
    const { secret } = await hub.create('ci', ALL);
    expect(await hub.verify(secret)).toBeDefined();
    writeFileSync(file, 'garbage', { mode: 0o600 });
    clock.ms += 1000;
    await expect(hub.verify(secret)).rejects.toBeInstanceOf(InvalidStateFileError);
  });

  it('[AUTH-TOKEN-04] refuses a token file others may write', async () => {
    const store = open();
    await store.create('ci', ALL);
    chmodSync(file, 0o666);
    await expect(open().list()).rejects.toThrow(
      /writable by no one else \(mode 0600\), got mode 666/,
    );
  });

  it('[AUTH-TOKEN-06] loses no token when two stores create 20 tokens in parallel', async () => {
    const a = open();
    const b = open();
    const names = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const made = await Promise.all(names.map((n, i) => (i % 2 ? a : b).create(n, ALL)));
    const listed = (await open().list()).map((t) => t.tokenName).sort();
    expect(listed).toEqual([...names].sort());
    const fresh = open();
    for (const { secret } of made) expect(await fresh.verify(secret)).toBeDefined();
  });

  it('[AUTH-TOKEN-06] takes over a lock left by a dead process, and gives up on a live one after the bound', async () => {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(lockFilePath(file), `${dead.stdout} 00ff\n`, { mode: 0o600 });
    await open().create('after-crash', ALL);
    writeFileSync(lockFilePath(file), `${process.pid} 00ff\n`, { mode: 0o600 });
    await expect(open({ lockTimeoutMs: 100 }).create('blocked', ALL)).rejects.toThrow(
      `held by pid ${process.pid}`,
    );
    rmSync(lockFilePath(file));
    expect((await open().list()).map((t) => t.tokenName)).toEqual(['after-crash']);
  });
});
