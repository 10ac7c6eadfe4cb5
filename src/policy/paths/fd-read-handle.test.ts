import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFdReadHandle } from './fd-read-handle.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bastion-fd-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Bytes 0..255 repeated, so any slice read at a position can be checked against the expectation.
function fixture(name: string, size: number): { file: string; data: Buffer } {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = i % 251;
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return { file, data };
}

describe('createFdReadHandle', () => {
  it.each([
    ['a small read (on the calling thread)', 1024],
    ['a large read (in the thread pool)', 1024 * 1024],
  ])('reads exactly what %s asks for, at its position', async (_what, length) => {
    const { file, data } = fixture(`f-${length}`, length + 4096);
    const handle = createFdReadHandle(openSync(file, 'r'));
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 100);
    await handle.close();
    expect(bytesRead).toBe(length);
    expect(buffer.equals(data.subarray(100, 100 + length))).toBe(true);
  });

  it('reports end of file as 0 bytes read', async () => {
    const { file } = fixture('short', 10);
    const handle = createFdReadHandle(openSync(file, 'r'));
    expect((await handle.read(Buffer.alloc(8), 0, 8, 10)).bytesRead).toBe(0);
    await handle.close();
  });

  it('closes only after a read still running in the pool, and refuses reads once closed', async () => {
    const length = 2 * 1024 * 1024;
    const { file, data } = fixture('pending', length);
    const handle = createFdReadHandle(openSync(file, 'r'));
    const buffer = Buffer.alloc(length);
    const reading = handle.read(buffer, 0, length, 0);
    const closing = handle.close();
    expect((await reading).bytesRead).toBe(length);
    await closing;
    expect(buffer.equals(data)).toBe(true);
    await expect(handle.read(Buffer.alloc(1), 0, 1, 0)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(handle.close()).resolves.toBeUndefined();
  });
});
