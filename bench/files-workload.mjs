import { CONTENT_TOKEN, NAME_TOKEN, TREE_FILE_RE, WIDE_FILE_RE } from './data.mjs';
import { runCommand } from './floor.mjs';
import { resolveFilesOps } from './files-ops.mjs';
import { createServerHandle, measureColdStart, textOf } from './mcp-client.mjs';
import { addNote, countEntries, makeRow, measureCell, repeatMedian } from './measure.mjs';
import { median, percentile, runPool, runSequential } from './stats.mjs';

const SETTINGS = {
  full: {
    coldStarts: 5,
    seqReads: 500,
    poolReads: 2000,
    pool: 16,
    repeats: 3,
    callTimeoutMs: 180_000,
    rowBudgetMs: 90_000,
  },
  quick: {
    coldStarts: 3,
    seqReads: 100,
    poolReads: 400,
    pool: 16,
    repeats: 2,
    callTimeoutMs: 60_000,
    rowBudgetMs: 20_000,
  },
};

// Files rows: Bastion's files server against the official filesystem server, with find/rg/ls/tail
// as the floor where a command-line tool does the same work.
export async function runFilesWorkload({ specs, data, quick, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const { paths } = data;
  const rows = [];
  const row = (...args) => {
    const r = makeRow('files', ...args);
    rows.push(r);
    return r;
  };
  const sides = [
    { key: 'bastion', spec: specs.bastionFiles, handle: createServerHandle(specs.bastionFiles) },
    { key: 'anchor', spec: specs.official, handle: createServerHandle(specs.official) },
  ];

  log('files: warming the page cache');
  await runCommand(['find', paths.root], { timeoutMs: 120_000 });

  log('files: cold start');
  const cold = row('cold_start', 'cold start (spawn → initialize → tools/list), median', 'ms', {
    floorTool: 'node -e 0',
  });
  for (const side of sides) {
    cold[side.key] = await measureCell(cold, side.spec.label, null, async () => {
      const samples = [];
      for (let i = 0; i < s.coldStarts; i++) samples.push(await measureColdStart(side.spec));
      return median(samples);
    });
  }
  cold.floor = (
    await repeatMedian(s.coldStarts, 30_000, () => runCommand([process.execPath, '-e', '0']))
  ).ms;

  for (const side of sides) {
    side.ops = await measureCell(cold, side.spec.label, null, async () =>
      resolveFilesOps(await side.handle.get()),
    );
    side.up = side.ops !== null;
    side.ops ??= {};
  }

  log('files: small reads');
  const seqP50 = row('read_seq_p50', `read_text_file 1 KB, sequential ×${s.seqReads}: p50`, 'ms');
  const seqP99 = row('read_seq_p99', `read_text_file 1 KB, sequential ×${s.seqReads}: p99`, 'ms');
  const poolP50 = row(
    'read_pool_p50',
    `read_text_file 1 KB, ${s.pool} in flight ×${s.poolReads}: p50`,
    'ms',
  );
  const poolP99 = row(
    'read_pool_p99',
    `read_text_file 1 KB, ${s.pool} in flight ×${s.poolReads}: p99`,
    'ms',
  );
  const poolWall = row(
    'read_pool_wall',
    `read_text_file 1 KB, ${s.pool} in flight ×${s.poolReads}: wall time`,
    'ms',
  );
  for (const side of sides) {
    if (!side.ops.read) continue;
    await measureCell(seqP50, side.spec.label, side.handle, async () => {
      const first = await side.ops.read(paths.small);
      if (textOf(first).length < 1024)
        throw new Error(`read returned ${textOf(first).length} chars, expected 1024`);
      for (let i = 0; i < 20; i++) await side.ops.read(paths.small);
      const seq = await runSequential(s.seqReads, s.rowBudgetMs, () => side.ops.read(paths.small));
      seqP50[side.key] = percentile(seq.latencies, 50);
      seqP99[side.key] = percentile(seq.latencies, 99);
      if (seq.latencies.length < s.seqReads)
        seqP50.notes.push(
          `${side.spec.label}: only ${seq.latencies.length} calls within the time budget`,
        );
      const pool = await runPool(s.poolReads, s.pool, s.rowBudgetMs, () =>
        side.ops.read(paths.small),
      );
      poolP50[side.key] = percentile(pool.latencies, 50);
      poolP99[side.key] = percentile(pool.latencies, 99);
      poolWall[side.key] = pool.latencies.length === s.poolReads ? pool.wallMs : null;
      if (pool.latencies.length < s.poolReads)
        poolWall.notes.push(
          `${side.spec.label}: only ${pool.latencies.length} calls within the time budget`,
        );
    });
  }

  log('files: list_directory');
  const list = row(
    'list_wide',
    `list_directory, ${data.wideEntries.toLocaleString('en-US')}-entry folder`,
    'ms',
    { floorTool: 'ls -1 -U' },
  );
  const listBytes = row(
    'list_wide_bytes',
    `bytes on the wire: list_directory (${data.wideEntries.toLocaleString('en-US')})`,
    'bytes',
    { floorTool: 'ls output' },
  );
  for (const side of sides) {
    if (!side.ops.list) continue;
    list[side.key] = await measureCell(list, side.spec.label, side.handle, async () => {
      const session = await side.handle.get();
      const { bytes, value } = await session.measureBytes(() =>
        side.ops.list(paths.wide, s.callTimeoutMs),
      );
      listBytes[side.key] = bytes;
      noteCount(
        list,
        side.spec.label,
        countEntries(value, WIDE_FILE_RE),
        data.wideEntries,
        'entries',
      );
      return (
        await repeatMedian(s.repeats, s.rowBudgetMs, () =>
          side.ops.list(paths.wide, s.callTimeoutMs),
        )
      ).ms;
    });
  }
  await measureFloor(list, listBytes, ['ls', '-1', '-U', paths.wide], s);

  log('files: search_files by name');
  const names = row(
    'search_names',
    `search_files *${NAME_TOKEN}* in ${data.treeFiles.toLocaleString('en-US')} files`,
    'ms',
    { floorTool: 'find -name' },
  );
  const nameRe = new RegExp(`${NAME_TOKEN}-\\d{5}\\.`, 'g');
  for (const side of sides) {
    if (!side.ops.searchNames) continue;
    names[side.key] = await measureCell(names, side.spec.label, side.handle, async () => {
      const r = await repeatMedian(s.repeats, s.rowBudgetMs, () =>
        side.ops.searchNames(paths.tree, NAME_TOKEN, s.callTimeoutMs),
      );
      noteCount(names, side.spec.label, countEntries(r.last, nameRe), data.nameMatches, 'matches');
      return r.ms;
    });
  }
  await measureFloor(names, null, ['find', paths.tree, '-name', `*${NAME_TOKEN}*`], s);

  log('files: content search');
  const content = row(
    'search_content',
    `content search "${CONTENT_TOKEN}" in ${data.treeFiles.toLocaleString('en-US')} files`,
    'ms',
    { floorTool: 'rg -n' },
  );
  const contentRe = new RegExp(CONTENT_TOKEN, 'g');
  for (const side of sides) {
    if (!side.ops.searchContent) {
      if (side.up) addNote(content, `${side.spec.label}: has no content-search tool (n/a)`);
      continue;
    }
    content[side.key] = await measureCell(content, side.spec.label, side.handle, async () => {
      const r = await repeatMedian(s.repeats, s.rowBudgetMs, () =>
        side.ops.searchContent(paths.tree, CONTENT_TOKEN, s.callTimeoutMs),
      );
      noteCount(
        content,
        side.spec.label,
        countEntries(r.last, contentRe),
        data.contentMatches,
        'matches',
      );
      return r.ms;
    });
  }
  await measureFloor(content, null, ['rg', '-n', '--no-config', CONTENT_TOKEN, paths.tree], s);

  log('files: tail');
  const mib = Math.round(data.bigBytes / 1024 / 1024);
  const tail = row('tail_big', `read_text_file tail: 10 of a ${mib} MB file, median`, 'ms', {
    floorTool: 'tail -n 10',
  });
  for (const side of sides) {
    if (!side.ops.tail) continue;
    tail[side.key] = await measureCell(tail, side.spec.label, side.handle, async () => {
      const r = await repeatMedian(5, s.rowBudgetMs, () =>
        side.ops.tail(paths.big, 10, s.callTimeoutMs),
      );
      const lastLine = String(data.bigLines).padStart(10, '0');
      if (!textOf(r.last).includes(lastLine))
        throw new Error(`tail did not return line ${lastLine}`);
      return r.ms;
    });
  }
  tail.floor = (
    await repeatMedian(5, 30_000, () => runCommand(['tail', '-n', '10', paths.big]))
  ).ms;

  log('files: directory_tree');
  const tree = row(
    'tree_sub',
    `directory_tree, ${data.subtreeEntries.toLocaleString('en-US')}-entry subtree`,
    'ms',
    { floorTool: 'find' },
  );
  const treeBytes = row(
    'tree_sub_bytes',
    `bytes on the wire: directory_tree (${data.subtreeEntries.toLocaleString('en-US')})`,
    'bytes',
    { floorTool: 'find output' },
  );
  for (const side of sides) {
    if (!side.ops.tree) continue;
    tree[side.key] = await measureCell(tree, side.spec.label, side.handle, async () => {
      const session = await side.handle.get();
      const { bytes, value } = await session.measureBytes(() =>
        side.ops.tree(paths.subtree, s.callTimeoutMs),
      );
      treeBytes[side.key] = bytes;
      noteCount(
        tree,
        side.spec.label,
        countEntries(value, TREE_FILE_RE),
        data.subtreeFiles,
        'files',
      );
      return (
        await repeatMedian(s.repeats, s.rowBudgetMs, () =>
          side.ops.tree(paths.subtree, s.callTimeoutMs),
        )
      ).ms;
    });
  }
  await measureFloor(
    tree,
    treeBytes,
    ['find', paths.subtree, '-mindepth', '1', '-printf', '%P\\n'],
    s,
  );

  const rss = row('rss_files', 'peak RSS of the server process (VmHWM)', 'bytes');
  for (const side of sides) {
    const kb = side.handle.peakRssKb();
    rss[side.key] = kb === null ? null : kb * 1024;
    await side.handle.close();
  }
  return rows;
}

function noteCount(row, label, got, expected, what) {
  row.counts ??= {};
  row.counts[label] = got;
  if (got !== expected)
    addNote(
      row,
      `${label}: returned ${got} of ${expected} ${what}${got < expected ? ' (truncated?)' : ''}`,
    );
}

async function measureFloor(row, bytesRow, argv, s) {
  await measureCell(row, argv[0], null, async () => {
    const r = await repeatMedian(s.repeats, 60_000, () => runCommand(argv));
    row.floor = r.ms;
    if (bytesRow) bytesRow.floor = r.last.bytes;
  });
}
