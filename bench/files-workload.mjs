import { runCommand } from './floor.mjs';
import { resolveFilesOps } from './files-ops.mjs';
import { measureSmallReads } from './files-reads.mjs';
import { measureSmallWrites } from './files-writes.mjs';
import { measureScan, scanDefinitions } from './files-scans.mjs';
import { createServerHandle, measureColdStart } from './mcp-client.mjs';
import { addNote, errorMessage, makeRow, measureCell } from './measure.mjs';
import { median, runInterleaved } from './stats.mjs';

const SETTINGS = {
  full: {
    coldStarts: 9,
    seqReads: 500,
    seqWrites: 300,
    poolReads: 2000,
    pool: 16,
    poolRounds: 4,
    repeats: 3,
    callTimeoutMs: 180_000,
    rowBudgetMs: 90_000,
  },
  quick: {
    coldStarts: 3,
    seqReads: 100,
    seqWrites: 100,
    poolReads: 400,
    pool: 16,
    poolRounds: 2,
    repeats: 2,
    callTimeoutMs: 60_000,
    rowBudgetMs: 20_000,
  },
};

// Files rows: Bastion's files server against the official filesystem server, with find/rg/ls/tail
// as the floor where a command-line tool does the same work, and a bare SDK server (plain fs, no
// checks) as the floor of what any MCP files tool costs (reads, writes, list, cold start).
export async function runFilesWorkload({ specs, data, quick, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const rows = [];
  const row = (...args) => {
    const r = makeRow('files', ...args);
    rows.push(r);
    return r;
  };
  const sides = [
    { key: 'bastion', spec: specs.bastionFiles, handle: createServerHandle(specs.bastionFiles) },
    { key: 'anchor', spec: specs.official, handle: createServerHandle(specs.official) },
    { key: 'bare', spec: specs.bareFiles, handle: createServerHandle(specs.bareFiles) },
  ];

  log('files: warming the page cache');
  await runCommand(['find', data.paths.root], { timeoutMs: 120_000 });

  log('files: cold start');
  const cold = row('cold_start', 'cold start (spawn → initialize → tools/list), median', 'ms', {
    floorTool: 'node -e 0',
  });
  const coldFns = Object.fromEntries(
    sides.map((side) => [
      side.key,
      guarded(cold, side.spec.label, () => measureColdStart(side.spec)),
    ]),
  );
  coldFns.floor = () => runCommand([process.execPath, '-e', '0']);
  const colds = await runInterleaved(s.coldStarts, s.rowBudgetMs, coldFns);
  for (const [key, fn] of Object.entries(coldFns)) {
    cold[key] = fn.failed ? null : median(colds.latencies[key]);
  }

  for (const side of sides) {
    side.ops = await measureCell(cold, side.spec.label, null, async () =>
      resolveFilesOps(await side.handle.get()),
    );
    side.up = side.ops !== null;
    side.ops ??= {};
  }

  log('files: small reads');
  await measureSmallReads({ row, sides, paths: data.paths, s });

  log('files: small writes');
  const noHistory = {
    key: 'bastionNoHistory',
    spec: specs.bastionFilesNoHistory,
    handle: createServerHandle(specs.bastionFilesNoHistory),
  };
  noHistory.ops = await measureCell(cold, noHistory.spec.label, null, async () =>
    resolveFilesOps(await noHistory.handle.get()),
  );
  noHistory.ops ??= {};
  await measureSmallWrites({ row, sides, paths: data.paths, s, noHistory });
  await noHistory.handle.close();

  for (const def of scanDefinitions(data)) {
    log(`files: ${def.metric}`);
    await measureScan(def, { row, sides, s });
  }

  const rss = row('rss_files', 'peak RSS of the server process (VmHWM)', 'bytes');
  for (const side of sides) {
    const kb = side.handle.peakRssKb();
    rss[side.key] = kb === null ? null : kb * 1024;
    await side.handle.close();
  }
  return rows;
}

// Wrap a contender's call for runInterleaved: its first failure is noted and it drops out.
function guarded(row, label, fn) {
  const wrapped = async () => {
    if (wrapped.failed) return;
    try {
      await fn();
    } catch (err) {
      wrapped.failed = true;
      addNote(row, `${label}: ${errorMessage(err)}`);
    }
  };
  wrapped.failed = false;
  return wrapped;
}
