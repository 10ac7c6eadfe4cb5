import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startInProcess, type InProcessServer } from './files-harness.js';

interface Match {
  path: string;
  line: number;
}

// ripgrep searches in parallel (its order varies run to run); results must still come in one
// stable order, so that paging with offset neither repeats nor skips a match.
describe('search_file_contents order and paging', () => {
  let root: string;
  let server: InProcessServer;

  beforeAll(async () => {
    root = makeTempDir();
    for (const dir of ['a', 'a-b', 'b', 'a/deep']) {
      mkdirSync(path.join(root, dir), { recursive: true });
      for (let i = 0; i < 12; i += 1) {
        writeFileSync(
          path.join(root, dir, `f${i}.txt`),
          `x\nneedle ${dir} ${i}\ny\nneedle again\n`,
        );
      }
    }
    server = await startInProcess({ roots: [root] });
  });

  afterAll(async () => {
    await server.close();
  });

  async function search(
    offset: number,
    maxResults: number,
  ): Promise<{ matches: Match[]; truncated: boolean }> {
    const result = await server.call('search_file_contents', {
      path: root,
      pattern: 'needle',
      offset,
      maxResults,
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    return result.structuredContent as { matches: Match[]; truncated: boolean };
  }

  it('returns every match once, sorted by path then line, and pages add up to the whole', async () => {
    const whole = await search(0, 1000);
    expect(whole.truncated).toBe(false);
    expect(whole.matches).toHaveLength(4 * 12 * 2);
    const keys = whole.matches.map((m) => `${m.path}:${m.line}`);
    expect(new Set(keys).size).toBe(keys.length);
    const byComponents = [...whole.matches].sort((x, y) => {
      const px = x.path.replaceAll('/', '\0');
      const py = y.path.replaceAll('/', '\0');
      return px === py ? x.line - y.line : px < py ? -1 : 1;
    });
    expect(whole.matches).toEqual(byComponents);

    const paged: Match[] = [];
    for (let offset = 0; offset < 200; offset += 7) {
      const page = await search(offset, 7);
      paged.push(...page.matches);
      if (!page.truncated) break;
    }
    expect(paged.map((m) => `${m.path}:${m.line}`)).toEqual(keys);
  });

  it('stays in order past the parallel ceiling (more than 10,000 matches), where rg sorts itself', async () => {
    const many = makeTempDir();
    writeFileSync(path.join(many, 'big.txt'), 'needle\n'.repeat(12_000));
    writeFileSync(path.join(many, 'small.txt'), 'needle\n');
    const big = await startInProcess({ roots: [many], limits: { maxSearchResults: 20 } });
    try {
      const result = await big.call('search_file_contents', {
        path: many,
        pattern: 'needle',
        offset: 11_995,
        maxResults: 10,
      });
      const page = result.structuredContent as { matches: Match[]; truncated: boolean };
      expect(page.matches.map((m) => `${path.basename(m.path)}:${m.line}`)).toEqual([
        'big.txt:11996',
        'big.txt:11997',
        'big.txt:11998',
        'big.txt:11999',
        'big.txt:12000',
        'small.txt:1',
      ]);
      expect(page.truncated).toBe(false);
    } finally {
      await big.close();
    }
  });
});
