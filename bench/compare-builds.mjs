#!/usr/bin/env node
// This build's files server side by side with another build of Bastion (an earlier commit,
// checked out and built elsewhere), the official filesystem server and the bare SDK server, in
// turns within one run: is this build no slower than that one? Rows: cold start, 1 KiB read p50,
// 16 reads in flight (calls/s), 1 KiB write p50 (history off here; the other build is given only
// roots, limits and an audit dir, so an older config schema takes it), a 10,000-entry listing.
//
//   git worktree add /tmp/other <commit> && (cd /tmp/other && npm ci && npm run build)
//   npm run build && node bench/compare-builds.mjs /tmp/other [--turns 5]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from './mcp-client.mjs';
import { BENCH_PATH, ENTRY, serverSpecs } from './servers.mjs';
import { median, percentile, runPool } from './stats.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { turns: { type: 'string', default: '5' } },
});
const other = positionals[0] && path.resolve(positionals[0]);
if (!other || !existsSync(path.join(other, ENTRY.bastion)))
  throw new Error(`usage: compare-builds.mjs <built checkout>: no ${ENTRY.bastion} there`);
const turns = Number(values.turns);

const work = path.join(REPO_ROOT, 'bench', '.data', 'compare');
const data = path.join(work, 'data');
const wide = path.join(data, 'wide');
mkdirSync(wide, { recursive: true });
const small = path.join(data, 'small-1k.txt');
writeFileSync(small, `${'x'.repeat(1023)}\n`);
for (let i = 0; i < 10_000; i++) {
  const name = path.join(wide, `f${String(i).padStart(5, '0')}.txt`);
  if (!existsSync(name)) writeFileSync(name, '');
}

const specs = serverSpecs({ repoRoot: REPO_ROOT, workDir: work, dataRoot: data, smallRoot: data });
const otherHome = path.join(work, 'other-home');
rmSync(otherHome, { recursive: true, force: true });
mkdirSync(otherHome, { recursive: true });
const otherConfig = path.join(otherHome, 'settings.json');
writeFileSync(
  otherConfig,
  JSON.stringify({
    bastion: {
      roots: [{ path: data }],
      limits: { maxListEntries: 20_000, maxTreeEntries: 200_000, maxSearchResults: 200_000 },
      audit: { dir: path.join(otherHome, 'audit') },
    },
  }),
);
const contenders = {
  this: specs.bastionFilesNoHistory,
  other: {
    label: 'other build',
    command: process.execPath,
    args: [path.join(other, ENTRY.bastion), 'serve', 'files', '--home', otherHome].concat([
      '--config',
      otherConfig,
      '--root',
      data,
    ]),
    env: { PATH: BENCH_PATH, LANG: 'C.UTF-8', HOME: otherHome },
    cwd: otherHome,
  },
  official: specs.official,
  bare: specs.bareFiles,
};

// Each turn: every contender in turn, each started afresh (3 cold starts, then the rows).
const samples = {};
const add = (row, who, value) => ((samples[row] ??= {})[who] ??= []).push(value);
for (let turn = 0; turn < turns; turn++) {
  for (const [who, spec] of Object.entries(contenders)) {
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const cold = await startServer(spec);
      await cold.client.listTools();
      add('cold start, ms', who, performance.now() - t0);
      await cold.close();
    }
    const server = await startServer(spec);
    const timed = async (count, fn) => {
      const times = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await fn(i);
        times.push(performance.now() - t0);
      }
      return times;
    };
    await timed(50, () => server.call('read_text_file', { path: small }));
    const reads = await timed(500, () => server.call('read_text_file', { path: small }));
    add('1 KiB read p50, µs', who, median(reads) * 1000);
    const pool = await runPool(2000, 16, 60_000, () =>
      server.call('read_text_file', { path: small }),
    );
    add('1 KiB reads, 16 in flight, calls/s', who, pool.latencies.length / (pool.wallMs / 1000));
    const writeDir = path.join(data, `writes-${who}`);
    mkdirSync(writeDir, { recursive: true });
    const writes = await timed(300, (i) =>
      server.call('write_file', {
        path: path.join(writeDir, 'w.txt'),
        content: `${i}\n${'w'.repeat(1020)}`,
      }),
    );
    add('1 KiB write p50, µs', who, median(writes) * 1000);
    const lists = await timed(20, () => server.call('list_directory', { path: wide }));
    add('list 10,000 entries, ms', who, median(lists));
    await server.close();
  }
  console.error(`turn ${turn + 1} of ${turns} done`);
}

// Medians over the turns, and this build over the other (below 1 is faster; calls/s the reverse).
const names = Object.keys(contenders);
console.log(`| row | ${names.join(' | ')} | this / other |`);
console.log(`| --- | ${names.map(() => '--:').join(' | ')} | --: |`);
for (const [row, by] of Object.entries(samples)) {
  const mid = Object.fromEntries(names.map((who) => [who, percentile(by[who], 50)]));
  const cells = names.map((who) => mid[who].toFixed(row.endsWith('ms') ? 1 : 0));
  console.log(`| ${row} | ${cells.join(' | ')} | ${(mid.this / mid.other).toFixed(2)}× |`);
}
