import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDuration, waitUntil } from './duration.js';
import { followFile, readLastLines } from './log-tail.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bastion-log-tail-'));
  file = path.join(dir, 'hub.log');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('readLastLines', () => {
  it('returns the last n lines, or fewer when the file is short', () => {
    writeFileSync(file, 'a\nb\nc\n');
    expect(readLastLines(file, 2)?.lines).toEqual(['b', 'c']);
    expect(readLastLines(file, 10)?.lines).toEqual(['a', 'b', 'c']);
    expect(readLastLines(file, 0)?.lines).toEqual([]);
    expect(readLastLines(file, 2)?.size).toBe(6);
  });

  it('keeps a last line without a newline, and reads across chunk borders', () => {
    const long = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    writeFileSync(file, `${long.join('\n')}\npartial`);
    const { lines } = readLastLines(file, 3000)!;
    expect(lines).toHaveLength(3000);
    expect(lines[0]).toBe(long[2001]);
    expect(lines.at(-1)).toBe('partial');
  });

  it('starts no earlier than the given offset', () => {
    writeFileSync(file, 'old\n--- mark ---\n');
    const offset = Buffer.byteLength('old\n--- mark ---\n');
    appendFileSync(file, 'new 1\nnew 2\n');
    expect(readLastLines(file, 10, offset)?.lines).toEqual(['new 1', 'new 2']);
  });

  it('is undefined for a missing file', () => {
    expect(readLastLines(file, 5)).toBeUndefined();
  });
});

describe('followFile', () => {
  it('prints appended bytes, and a recreated file from its start, until aborted', async () => {
    writeFileSync(file, 'seen\n');
    let out = '';
    const controller = new AbortController();
    const following = followFile(file, (chunk) => (out += chunk.toString()), {
      offset: 5,
      signal: controller.signal,
      intervalMs: 20,
    });
    appendFileSync(file, 'one\n');
    expect(await waitUntil(() => out === 'one\n', 10_000, 20)).toBe(true);
    // Rotation: the old file moves away and a new one takes the name.
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'fresh\n');
    expect(await waitUntil(() => out === 'one\nfresh\n', 10_000, 20)).toBe(true);
    controller.abort();
    await following;
    appendFileSync(file, 'after\n');
    expect(out).toBe('one\nfresh\n');
  });
});

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['3', 3000],
    ['1.5s', 1500],
  ])('%s is %i ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', '0', '-1s', '10h', 'soon', '61m'])('refuses %j', (raw) => {
    expect(() => parseDuration(raw)).toThrow(/expected a duration/);
  });
});
