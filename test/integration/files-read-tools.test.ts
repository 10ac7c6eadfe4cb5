import { appendFileSync, chmodSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startInProcess, textOf, type InProcessServer } from './files-harness.js';

let root: string;
let s: InProcessServer;
const isRoot = process.getuid?.() === 0;

beforeAll(async () => {
  root = makeTempDir();
  writeFileSync(path.join(root, 'nl.txt'), 'l1\nl2\nl3\nl4\nl5\n');
  writeFileSync(path.join(root, 'no-nl.txt'), 'l1\nl2\nl3\nl4\nl5');
  writeFileSync(path.join(root, 'crlf.txt'), 'a\r\nb\r\nc\r\n');
  writeFileSync(path.join(root, 'empty.txt'), '');
  writeFileSync(path.join(root, 'big.txt'), `${'x'.repeat(99)}\n`.repeat(2000)); // 200 000 bytes
  writeFileSync(path.join(root, 'pic.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  writeFileSync(path.join(root, 'sound.mp3'), Buffer.from([0xff, 0xfb, 0x90]));
  writeFileSync(path.join(root, 'blob.bin'), Buffer.from([0, 1, 2]));
  writeFileSync(path.join(root, 'huge-media.png'), Buffer.alloc(5000));
  mkdirSync(path.join(root, 'sub'));
  s = await startInProcess({
    roots: [root],
    limits: { maxReadBytes: 100_000, maxMediaBytes: 4096 },
  });
});

afterAll(async () => {
  await s.close();
  rmSync(root, { recursive: true, force: true });
});

describe('read_text_file', () => {
  it('reads a whole file', async () => {
    expect(textOf(await s.call('read_text_file', { path: path.join(root, 'nl.txt') }))).toBe(
      'l1\nl2\nl3\nl4\nl5\n',
    );
  });

  it.each([
    ['nl.txt', 1, 'l5'],
    ['nl.txt', 2, 'l4\nl5'],
    ['nl.txt', 5, 'l1\nl2\nl3\nl4\nl5'],
    ['nl.txt', 50, 'l1\nl2\nl3\nl4\nl5'],
    ['no-nl.txt', 1, 'l5'],
    ['no-nl.txt', 3, 'l3\nl4\nl5'],
    ['crlf.txt', 2, 'b\nc'],
    ['empty.txt', 3, ''],
    ['nl.txt', 0, ''],
  ])('tail of %s, %i lines, is exactly the last lines', async (file, tail, expected) => {
    const result = await s.call('read_text_file', { path: file, tail });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(expected);
  });

  it.each([
    ['nl.txt', 1, 'l1'],
    ['nl.txt', 2, 'l1\nl2'],
    ['nl.txt', 9, 'l1\nl2\nl3\nl4\nl5'],
    ['no-nl.txt', 5, 'l1\nl2\nl3\nl4\nl5'],
    ['crlf.txt', 2, 'a\nb'],
  ])('head of %s, %i lines, is exactly the first lines', async (file, head, expected) => {
    expect(textOf(await s.call('read_text_file', { path: file, head }))).toBe(expected);
  });

  it('tail of a file over the read limit reads only the end', async () => {
    const result = await s.call('read_text_file', { path: 'big.txt', tail: 3 });
    expect(textOf(result)).toBe(`${'x'.repeat(99)}\n`.repeat(3).slice(0, -1));
  });

  it('tail and head of a sparse 1 GB file read only what they return (bounded by maxReadBytes)', async () => {
    const huge = path.join(root, 'huge.log');
    writeFileSync(huge, 'first line\n');
    truncateSync(huge, 1024 ** 3);
    appendFileSync(huge, '\nsecond to last\nlast\n');
    expect(textOf(await s.call('read_text_file', { path: 'huge.log', tail: 2 }))).toBe(
      'second to last\nlast',
    );
    expect(textOf(await s.call('read_text_file', { path: 'huge.log', head: 1 }))).toBe(
      'first line',
    );
    // The third-to-last "line" is ~1 GB of zeros: refused after maxReadBytes, never read whole.
    const tooLong = await s.call('read_text_file', { path: 'huge.log', tail: 3 });
    expect(tooLong.isError).toBe(true);
    expect(textOf(tooLong)).toMatch(/at most 100000 bytes.*smaller head\/tail\/length/);
    rmSync(huge);
  });

  it('refuses a whole read over maxReadBytes and suggests head/tail/offset', async () => {
    const result = await s.call('read_text_file', { path: 'big.txt' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/head.*tail.*offset/);
    expect(textOf(result)).not.toContain('x'.repeat(99));
  });

  it('streams a line range with offset/length and says how to continue', async () => {
    const result = await s.call('read_text_file', { path: 'nl.txt', offset: 1, length: 2 });
    expect(result.content[0]).toEqual({ type: 'text', text: 'l2\nl3' });
    expect(textOf(result)).toContain('offset=3');
    const last = await s.call('read_text_file', { path: 'no-nl.txt', offset: 3, length: 10 });
    expect(last.content[0]).toEqual({ type: 'text', text: 'l4\nl5' });
    expect(textOf(last)).toContain('end of file');
    const far = await s.call('read_text_file', { path: 'big.txt', offset: 1999, length: 5 });
    expect(far.content[0]).toEqual({ type: 'text', text: 'x'.repeat(99) });
    const beyond = await s.call('read_text_file', { path: 'nl.txt', offset: 10 });
    expect(beyond.isError).toBeFalsy();
    expect(textOf(beyond)).toContain('the file has 5 lines');
  });

  it('refuses head together with tail', async () => {
    const result = await s.call('read_text_file', { path: 'nl.txt', head: 1, tail: 1 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/at most one of head, tail/);
  });

  it.each([
    [{ path: 'missing.txt' }, /No such file/],
    [{ path: 'sub' }, /Expected a regular file, got a directory/],
    [{ path: 'a\0b' }, /NUL/],
    [{ path: `${'a'.repeat(5000)}` }, /at most 4096 characters/],
    [{ path: '' }, /non-empty/],
  ])('bad input %j is an actionable error', async (args, message) => {
    const result = await s.call('read_text_file', args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(textOf(result)).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('malformed arguments are refused without crashing the server', async () => {
    for (const args of [
      {},
      { path: 42 },
      { path: 'nl.txt', head: -1 },
      { path: 'nl.txt', head: 1.5 },
      { path: ['a'] },
    ]) {
      const result = await s.call('read_text_file', args).catch((err: Error) => ({
        isError: true,
        content: [{ type: 'text' as const, text: err.message }],
      }));
      expect(result.isError, JSON.stringify(args)).toBe(true);
    }
    expect(textOf(await s.call('read_text_file', { path: 'nl.txt', head: 1 }))).toBe('l1');
  });

  it.skipIf(isRoot)('reports permission denied', async () => {
    const locked = path.join(root, 'locked.txt');
    writeFileSync(locked, 'secret-ish');
    chmodSync(locked, 0o000);
    const result = await s.call('read_text_file', { path: locked });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Permission denied/);
    chmodSync(locked, 0o600);
  });
});

describe('read_media_file', () => {
  it('returns images and audio as base64 with their MIME type', async () => {
    const image = await s.call('read_media_file', { path: 'pic.png' });
    expect(image.content[0]).toEqual({
      type: 'image',
      mimeType: 'image/png',
      data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).toString('base64'),
    });
    const audio = await s.call('read_media_file', { path: 'sound.mp3' });
    expect(audio.content[0]).toMatchObject({ type: 'audio', mimeType: 'audio/mpeg' });
    const blob = await s.call('read_media_file', { path: 'blob.bin' });
    expect(blob.content[0]).toMatchObject({
      type: 'resource',
      resource: { mimeType: 'application/octet-stream', blob: 'AAEC' },
    });
  });

  it('refuses files over maxMediaBytes', async () => {
    const result = await s.call('read_media_file', { path: 'huge-media.png' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/media limit of 4096 bytes/);
  });
});

describe('read_multiple_files', () => {
  it('reads several files; one failure does not fail the batch', async () => {
    const result = await s.call('read_multiple_files', {
      paths: ['nl.txt', 'missing.txt', 'no-nl.txt'],
    });
    expect(result.isError).toBeFalsy();
    const text = textOf(result);
    expect(text).toContain('nl.txt:\nl1\nl2\nl3\nl4\nl5\n');
    expect(text).toContain('missing.txt: Error - No such file');
    expect(result.structuredContent).toEqual({
      files: [
        { path: 'nl.txt', ok: true, bytes: 15 },
        { path: 'missing.txt', ok: false, error: expect.stringMatching(/No such file/) },
        { path: 'no-nl.txt', ok: true, bytes: 14 },
      ],
    });
  });

  it('shares the read budget across the batch', async () => {
    const result = await s.call('read_multiple_files', { paths: ['big.txt', 'nl.txt'] });
    expect((result.structuredContent as { files?: unknown } | undefined)?.files).toMatchObject([
      { ok: false },
      { ok: true },
    ]);
  });

  it('refuses an empty list', async () => {
    const result = await s
      .call('read_multiple_files', { paths: [] })
      .catch(() => ({ isError: true }));
    expect(result.isError).toBe(true);
  });
});

describe('get_file_info', () => {
  it('describes files and directories', async () => {
    const file = await s.call('get_file_info', { path: 'nl.txt' });
    expect(file.structuredContent).toMatchObject({
      size: 15,
      isFile: true,
      isDirectory: false,
      type: 'file',
    });
    expect(textOf(file)).toMatch(
      /^size: 15\ncreated: .*\nmodified: .*\naccessed: .*\nisDirectory: false\nisFile: true\npermissions: \d{3}$/,
    );
    const dir = await s.call('get_file_info', { path: 'sub' });
    expect(dir.structuredContent).toMatchObject({ isDirectory: true, type: 'directory' });
  });

  it('reports a missing path', async () => {
    const result = await s.call('get_file_info', { path: 'nope' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/No such file/);
  });
});
