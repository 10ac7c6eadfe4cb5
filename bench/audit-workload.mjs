// The audit log's cost: p50 of one files call with the real audit sink vs a sink that writes
// nothing (in process, so stdio noise does not hide it), records per second the writer sustains
// (group commit: one fdatasync per batch), and verification speed on one core.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeRow } from './measure.mjs';
import { percentile } from './stats.mjs';

async function load(repoRoot, rel) {
  return import(pathToFileURL(path.join(repoRoot, 'dist', rel)).href);
}

// A sink that records nothing: the "audit off" baseline.
const NO_AUDIT = {
  record: (event) => ({ ...event, time: '', stream: '', seq: 0, prev: '', hash: '' }),
  scrub: (value) => Promise.resolve(value),
  refusing: () => false,
  close() {},
};

async function startFiles(repoRoot, root, audit) {
  const { loadConfig } = await load(repoRoot, 'config/index.js');
  const { createFilesServer } = await load(repoRoot, 'servers/files/index.js');
  const { createLogger } = await load(repoRoot, 'logging/logger.js');
  const { Client, InMemoryTransport } = await import('@modelcontextprotocol/client');
  // The home beside the root, not in it (the history store must lie outside every root).
  const config = loadConfig({ home: path.dirname(root), rootFlags: [root], env: {} });
  const server = createFilesServer(config, { audit, logger: createLogger('bench', 'silent') });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'bench', version: '1' });
  await server.connect(b);
  await client.connect(a);
  return { client, close: async () => (await client.close(), await server.close()) };
}

async function callLatencies(files, file, count) {
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const t = performance.now();
    const result = await files.client.callTool({
      name: 'read_text_file',
      arguments: { path: file },
    });
    times.push(performance.now() - t);
    // A failing call would be timed as a fast one.
    if (result.isError) throw new Error(`read_text_file failed: ${JSON.stringify(result.content)}`);
  }
  return times;
}

export async function runAuditWorkload({ repoRoot, quick, log }) {
  const { createAuditLog, verifyAuditDir } = await load(repoRoot, 'audit/index.js');
  const work = mkdtempSync(path.join(os.tmpdir(), 'bastion-bench-audit-'));
  const rows = [];
  try {
    const root = path.join(work, 'root');
    mkdirSync(root);
    const file = path.join(root, 'small.txt');
    writeFileSync(file, 'a small file\n'.repeat(20));
    const sink = createAuditLog({ dir: path.join(work, 'logs'), env: {} });
    const on = await startFiles(repoRoot, root, sink);
    const off = await startFiles(repoRoot, root, NO_AUDIT);
    // Interleaved blocks so machine load falls on both alike.
    const calls = quick ? 1_000 : 5_000;
    const onTimes = [];
    const offTimes = [];
    await callLatencies(on, file, 200);
    await callLatencies(off, file, 200);
    for (let done = 0; done < calls; done += 250) {
      onTimes.push(...(await callLatencies(on, file, 250)));
      offTimes.push(...(await callLatencies(off, file, 250)));
    }
    await on.close();
    await off.close();
    sink.close();
    const p50On = percentile(onTimes, 50);
    const p50Off = percentile(offTimes, 50);
    log(
      `audit: p50 read_text_file ${p50On.toFixed(3)} ms with audit, ${p50Off.toFixed(3)} ms without`,
    );
    rows.push(
      makeRow('audit', 'audit_call_p50', 'read_text_file p50, audit on (anchor: off)', 'ms', {
        bastion: p50On,
        anchor: p50Off,
        goal: 'audit under 5% of call latency',
        notes: [
          `audit cost ${((p50On / p50Off - 1) * 100).toFixed(1)}% (${((p50On - p50Off) * 1000).toFixed(0)} µs) per call`,
        ],
      }),
    );

    // Writer throughput: records the size of a typical intent, written back to back.
    const logs = path.join(work, 'throughput');
    const writer = createAuditLog({ dir: logs, env: {} });
    const records = quick ? 20_000 : 100_000;
    const args = { path: '/home/user/project/src/components/button.tsx', content: 'x'.repeat(200) };
    const started = performance.now();
    for (let i = 0; i < records; i += 1)
      writer.record({ server: 'files', tool: 'write_file', args, phase: 'intent', call: `c${i}` });
    writer.close();
    const seconds = (performance.now() - started) / 1000;
    const perSecond = records / seconds;
    log(`audit: ${Math.round(perSecond)} records/s sustained (${records} records)`);
    rows.push(
      makeRow('audit', 'audit_records_per_s', 'records per second (higher is better)', 'rec/s', {
        bastion: perSecond,
        goal: 'at least 20,000 records/s',
      }),
    );

    // The same with rotation every 4 MiB (about 14 rotations): each costs a lock, a rename, an
    // fdatasync of the old file and a signed checkpoint.
    const rotating = path.join(work, 'rotating');
    const rotWriter = createAuditLog({ dir: rotating, env: {}, rotateBytes: 4 * 1024 * 1024 });
    const rotStarted = performance.now();
    for (let i = 0; i < records; i += 1)
      rotWriter.record({
        server: 'files',
        tool: 'write_file',
        args,
        phase: 'intent',
        call: `c${i}`,
      });
    rotWriter.close();
    const rotPerSecond = records / ((performance.now() - rotStarted) / 1000);
    const rotatedFiles = readdirSync(rotating).filter((n) => /^audit-.*-\d+\.jsonl$/.test(n));
    log(
      `audit: ${Math.round(rotPerSecond)} records/s rotating every 4 MiB (${rotatedFiles.length} rotations)`,
    );
    rows.push(
      makeRow(
        'audit',
        'audit_records_per_s_rotating',
        'records per second, rotating every 4 MiB (higher is better)',
        'rec/s',
        {
          bastion: rotPerSecond,
          goal: 'at least 20,000 records/s',
          notes: [`${rotatedFiles.length} rotations`],
        },
      ),
    );
    const rotT = performance.now();
    const rotReport = verifyAuditDir({ dir: rotating });
    const rotMb = rotReport.bytes / 1024 / 1024 / ((performance.now() - rotT) / 1000);
    log(
      `audit: verify across ${rotReport.files} files ${rotMb.toFixed(1)} MB/s (ok=${rotReport.ok})`,
    );
    rows.push(
      makeRow('audit', 'audit_verify_rotated_mb_s', 'verify speed across rotated files', 'MiB/s', {
        bastion: rotMb,
        goal: 'at least 100 MB/s',
        notes: rotReport.ok
          ? [`${rotReport.files} files`]
          : ['verification failed on the bench log'],
      }),
    );

    const bytes = statSync(path.join(logs, 'audit.jsonl')).size;
    const t = performance.now();
    const report = verifyAuditDir({ dir: logs });
    const mbPerSecond = bytes / 1024 / 1024 / ((performance.now() - t) / 1000);
    log(
      `audit: verify ${mbPerSecond.toFixed(1)} MB/s over ${(bytes / 1024 / 1024).toFixed(1)} MiB (ok=${report.ok})`,
    );
    rows.push(
      makeRow('audit', 'audit_verify_mb_s', 'verify speed, one core (higher is better)', 'MiB/s', {
        bastion: mbPerSecond,
        goal: 'at least 100 MB/s',
        notes: report.ok ? [] : ['verification failed on the bench log'],
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
