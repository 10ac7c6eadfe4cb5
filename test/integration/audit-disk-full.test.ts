import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditDir } from '../../src/audit/index.js';
import { startServer, textOf, type StartedServer } from '../helpers/mcp-client.js';

// A real full disk under the audit log: a small tmpfs mounted as <home>/logs (needs root).
const canMount = process.getuid?.() === 0 && process.platform === 'linux';

// Fill the file system with one file until it refuses more (ENOSPC).
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  // dd stops at ENOSPC: the file system then has no free block left.
  const result = spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096']);
  if (!existsSync(filler)) throw new Error(`could not fill: ${result.stderr.toString()}`);
  return filler;
}

// The paths named by the log's records of one phase.
function readIntents(logs: string, phase = 'intent'): Set<string> {
  const paths = new Set<string>();
  for (const line of readFileSync(path.join(logs, 'audit.jsonl'), 'utf8').split('\n')) {
    try {
      const r = JSON.parse(line) as { phase?: string; args?: { path?: string } };
      if (r.phase === phase && r.args?.path) paths.add(r.args.path);
    } catch {
      // a fragment a short write left on the full disk
    }
  }
  return paths;
}

describe.skipIf(!canMount)('the audit log on a full disk', () => {
  let home: string;
  let root: string;
  let logs: string;
  let server: StartedServer;

  beforeAll(async () => {
    home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-audit-full-')));
    root = path.join(home, 'ws');
    logs = path.join(home, 'logs');
    mkdirSync(root);
    mkdirSync(logs);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', logs]);
    if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr.toString()}`);
    server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
  });

  afterAll(async () => {
    await server?.close();
    spawnSync('umount', [logs]);
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses every call while the disk is full (no effect, never unrecorded), says why once, and recovers', async () => {
    const before = path.join(root, 'before.txt');
    expect(
      (
        await server.client.callTool({
          name: 'write_file',
          arguments: { path: before, content: 'a' },
        })
      ).isError,
    ).toBeFalsy();
    const filler = fill(logs);
    const markers = Array.from({ length: 20 }, (_, i) => path.join(root, `full-${i}.txt`));
    const results = await Promise.all(
      markers.map((marker) =>
        server.client.callTool({ name: 'write_file', arguments: { path: marker, content: 'no' } }),
      ),
    );
    // The last page of the log may still hold a record or two: those calls run and are on
    // record; every other call is refused and has no effect.
    const intentsNow = readIntents(logs);
    let refused = 0;
    results.forEach((result, i) => {
      if (existsSync(markers[i]!)) {
        expect(result.isError, `full-${i} ran`).toBeFalsy();
        expect(intentsNow.has(markers[i]!), `full-${i} ran, so its intent is on record`).toBe(true);
        return;
      }
      refused += 1;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(
        /The audit log cannot be written \(the disk holding it is full\)/,
      );
    });
    expect(refused).toBeGreaterThan(10);
    expect(server.stderr().match(/the audit log cannot be written/g)).toHaveLength(1);

    // Reads too: while the log refuses, a read writes an intent first like any call (a read
    // recorded whole, after it ran, withholds its answer instead: audit-whole-call.test.ts).
    const canaries = Array.from({ length: 20 }, (_, i) => path.join(root, `canary-${i}.txt`));
    for (const [i, canary] of canaries.entries())
      writeFileSync(canary, `canary-${i}-Hq7v2-content`);
    const reads = await Promise.all(
      canaries.map((canary) =>
        server.client.callTool({ name: 'read_text_file', arguments: { path: canary } }),
      ),
    );
    const recordedReads = new Set([...readIntents(logs, 'complete'), ...readIntents(logs)]);
    let withheld = 0;
    reads.forEach((result, i) => {
      if (textOf(result).includes(`canary-${i}-Hq7v2-content`)) {
        expect(recordedReads.has(canaries[i]!), `canary-${i} was read, so it is on record`).toBe(
          true,
        );
        return;
      }
      withheld += 1;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(
        /The audit log cannot be written \(the disk holding it is full\)/,
      );
    });
    expect(withheld).toBeGreaterThan(10);

    rmSync(filler);
    const after = path.join(root, 'after.txt');
    const ok = await server.client.callTool({
      name: 'write_file',
      arguments: { path: after, content: 'b' },
    });
    expect(ok.isError).toBeFalsy();
    expect(readFileSync(after, 'utf8')).toBe('b');
    expect(server.stderr()).toContain('the audit log is writable again');
    const records = readFileSync(path.join(logs, 'audit.jsonl'), 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    expect(
      records.some((r) => r.phase === 'intent' && (r.args as { path?: string }).path === after),
    ).toBe(true);
    expect(records.find((r) => r.tool === 'audit_log_recovered')?.details).toMatchObject({
      reason: 'the disk holding it is full',
    });
    // Whatever a short write left behind on the full disk is a fragment, not tampering.
    expect(verifyAuditDir({ dir: logs }).problems).toEqual([]);
  });
});
