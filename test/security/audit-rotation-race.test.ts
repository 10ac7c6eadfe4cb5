import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listLogFiles, verifyAuditDir } from '../../src/audit/index.js';
import { REPO_ROOT } from '../helpers/mcp-client.js';

const WRITER = path.join(REPO_ROOT, 'test/fixtures/rotating-writer.js');
const WRITERS = ['a', 'b', 'c'];
const RECORDS = 3000;

// Runs one writer to its end; resolves with how many records its log refused.
function runWriter(dir: string, tag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, String(RECORDS), tag], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`writer ${tag}: ${code} ${err}`)),
    );
  });
}

describe('audit rotation by several writers at once', () => {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-rotrace-')));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('[AUDIT-ROTATE-01] three writers rotating every 4 KiB: no write refused, no record lost, the log verifies', async () => {
    const refused = await Promise.all(WRITERS.map((tag) => runWriter(dir, tag)));
    // A writer that released the lock while another looked at it was taken for a crashed one:
    // its successor's lock was removed, and the next release failed that writer's record.
    expect(refused).toEqual(WRITERS.map(() => 0));
    const paths = new Set<string>();
    for (const file of listLogFiles(dir))
      for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n'))
        if (line.trim() !== '')
          paths.add(String((JSON.parse(line) as { args?: { path?: string } }).args?.path));
    const lost = WRITERS.flatMap((tag) =>
      Array.from({ length: RECORDS }, (_, i) => `/r/${tag}-${i}`).filter((p) => !paths.has(p)),
    );
    expect(lost).toEqual([]);
    const report = verifyAuditDir({ dir });
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(WRITERS.length * RECORDS);
    expect(report.files).toBeGreaterThan(10);
  }, 120_000);
});
