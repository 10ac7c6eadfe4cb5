import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileSystemError,
  InvalidInputError,
  PathDeniedError,
  PathOutsideRootsError,
} from '../../src/errors/index.js';
import { createPathsFixture, readViaGuard, type PathsFixture } from './paths-fixture.js';

let fx: PathsFixture;
beforeAll(() => {
  fx = createPathsFixture();
});
afterAll(() => fx.cleanup());

async function listNames(rawPath: string): Promise<string[]> {
  const { dir } = await fx.guard.openDirectory(rawPath);
  const names: string[] = [];
  for await (const entry of dir) names.push(entry.name);
  return names.sort();
}

describe('openForRead', () => {
  it('opens a regular file and reports its real path, root and stat', async () => {
    const opened = await fx.guard.openForRead('link-in/file.txt');
    try {
      expect(opened.path).toBe(path.join(fx.root, 'a/file.txt'));
      expect(opened.root.path).toBe(fx.root);
      expect(opened.stat.isFile()).toBe(true);
      expect(readFileSync(opened.handle.fd, 'utf8')).toBe('in a');
    } finally {
      await opened.handle.close();
    }
  });

  it('[PATH-LINK-03] refuses a chain of links ending outside, without reading the canary', async () => {
    const { content, error } = await readViaGuard(fx.guard, 'chain1');
    expect(content).toBeUndefined();
    expect(error).toBeInstanceOf(PathOutsideRootsError);
  });

  it('[PATH-RACE-03] refuses a FIFO without hanging, and a directory', async () => {
    const fifo = path.join(fx.root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const fifoRead = await readViaGuard(fx.guard, 'pipe');
    expect(fifoRead.error).toBeInstanceOf(InvalidInputError);
    expect(String((fifoRead.error as Error).message)).toContain('FIFO');
    const dirRead = await readViaGuard(fx.guard, 'a');
    expect(dirRead.error).toBeInstanceOf(InvalidInputError);
  });

  it('[PATH-ERR-01] a missing file is a FileSystemError naming only the requested path', async () => {
    const { error } = await readViaGuard(fx.guard, 'a/missing.txt');
    expect(error).toBeInstanceOf(FileSystemError);
    expect((error as FileSystemError).code).toBe('ENOENT');
    expect((error as Error).message).toContain('"a/missing.txt"');
    expect((error as Error).message).not.toContain(fx.base);
  });
});

describe('openDirectory', () => {
  it('lists the verified directory', async () => {
    expect(await listNames('a')).toEqual(['b', 'file.txt']);
    const { path: real } = await fx.guard.openDirectory('link-in');
    expect(real).toBe(path.join(fx.root, 'a'));
  });

  it('[PATH-LINK-02] refuses to list a directory link that points outside', async () => {
    await expect(fx.guard.openDirectory('link-dir-out')).rejects.toBeInstanceOf(
      PathOutsideRootsError,
    );
  });

  it('[PATH-DENY-02] refuses to list a .ssh directory', async () => {
    await expect(fx.guard.openDirectory('nested/.ssh')).rejects.toBeInstanceOf(PathDeniedError);
  });

  it('refuses a file as a directory with an ENOTDIR FileSystemError', async () => {
    await expect(fx.guard.openDirectory('hello.txt')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it.skipIf(process.platform !== 'linux')(
    '[PATH-INPUT-05] lists non-UTF-8 names lossily (U+FFFD) without crashing',
    async () => {
      const dir = path.join(fx.root, 'latin1');
      mkdirSync(dir);
      writeFileSync(
        Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]),
        'x',
      );
      const names = await listNames('latin1');
      expect(names).toEqual(['caf\uFFFD.txt']);
      // The lossy name does not round-trip; opening it is a clean ENOENT, not a crash.
      await expect(fx.guard.openForRead('latin1/caf\uFFFD.txt')).rejects.toMatchObject({
        code: 'ENOENT',
      });
    },
  );
});
