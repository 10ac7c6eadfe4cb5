import { CONTENT_TOKEN, NAME_TOKEN, TREE_FILE_RE, WIDE_FILE_RE } from './data.mjs';
import { runCommand } from './floor.mjs';
import { textOf } from './mcp-client.mjs';
import { addNote, countEntries, errorMessage } from './measure.mjs';
import { median } from './stats.mjs';

const n = (value) => value.toLocaleString('en-US');

// The single-call rows (one big answer each): what each server calls, the command-line floor,
// and how to check the answer (entry count, or the tail's last line).
export function scanDefinitions(data) {
  const { paths } = data;
  const mib = Math.round(data.bigBytes / 1024 / 1024);
  return [
    {
      id: 'list_wide',
      metric: `list_directory, ${n(data.wideEntries)}-entry folder`,
      call: (ops, t) => ops.list && (() => ops.list(paths.wide, t)),
      floor: { tool: 'ls -1 -U', argv: ['ls', '-1', '-U', paths.wide] },
      bytes: {
        id: 'list_wide_bytes',
        metric: `bytes on the wire: list_directory (${n(data.wideEntries)})`,
        floorTool: 'ls output',
      },
      expect: { re: WIDE_FILE_RE, count: data.wideEntries, what: 'entries' },
      // The bare SDK server lists too (readdir + one text line per entry).
      withBare: true,
      // A 10-40 ms call: more turns to even out a shared machine's drift.
      repeats: 7,
    },
    {
      id: 'search_names',
      metric: `search_files *${NAME_TOKEN}* in ${n(data.treeFiles)} files`,
      call: (ops, t) => ops.searchNames && (() => ops.searchNames(paths.tree, NAME_TOKEN, t)),
      floor: { tool: 'find -name', argv: ['find', paths.tree, '-name', `*${NAME_TOKEN}*`] },
      expect: {
        re: new RegExp(`${NAME_TOKEN}-\\d{5}\\.`, 'g'),
        count: data.nameMatches,
        what: 'matches',
      },
    },
    {
      id: 'search_content',
      metric: `content search "${CONTENT_TOKEN}" in ${n(data.treeFiles)} files`,
      call: (ops, t) =>
        ops.searchContent && (() => ops.searchContent(paths.tree, CONTENT_TOKEN, t)),
      missing: 'has no content-search tool (n/a)',
      floor: { tool: 'rg -n', argv: ['rg', '-n', '--no-config', CONTENT_TOKEN, paths.tree] },
      expect: { re: new RegExp(CONTENT_TOKEN, 'g'), count: data.contentMatches, what: 'matches' },
    },
    {
      id: 'tail_big',
      metric: `read_text_file tail: 10 of a ${mib} MB file, median`,
      repeats: 5,
      call: (ops, t) => ops.tail && (() => ops.tail(paths.big, 10, t)),
      floor: { tool: 'tail -n 10', argv: ['tail', '-n', '10', paths.big] },
      check: (result) => {
        const lastLine = String(data.bigLines).padStart(10, '0');
        if (!textOf(result).includes(lastLine))
          throw new Error(`tail did not return line ${lastLine}`);
      },
    },
    {
      id: 'tree_sub',
      metric: `directory_tree, ${n(data.subtreeEntries)}-entry subtree`,
      call: (ops, t) => ops.tree && (() => ops.tree(paths.subtree, t)),
      floor: { tool: 'find', argv: ['find', paths.subtree, '-mindepth', '1', '-printf', '%P\\n'] },
      bytes: {
        id: 'tree_sub_bytes',
        metric: `bytes on the wire: directory_tree (${n(data.subtreeEntries)})`,
        floorTool: 'find output',
      },
      expect: { re: TREE_FILE_RE, count: data.subtreeFiles, what: 'files' },
    },
  ];
}

// One scan row (plus its bytes row): each repetition runs Bastion, the official server, the bare
// SDK server (list only) and the floor in turn, so load drifting on a shared machine hits all
// alike; the median is kept.
// The first answer of each server is checked and its response bytes counted.
export async function measureScan(def, { row, sides, s }) {
  const time = row(def.id, def.metric, 'ms', { floorTool: def.floor.tool });
  const bytes = def.bytes
    ? row(def.bytes.id, def.bytes.metric, 'bytes', { floorTool: def.bytes.floorTool })
    : null;
  const contenders = [];
  for (const side of sides) {
    if (side.key === 'bare' && !def.withBare) continue;
    const call = def.call(side.ops, s.callTimeoutMs);
    if (call) contenders.push({ key: side.key, label: side.spec.label, handle: side.handle, call });
    else if (side.up && def.missing) addNote(time, `${side.spec.label}: ${def.missing}`);
  }
  contenders.push({
    key: 'floor',
    label: def.floor.argv[0],
    handle: null,
    call: () => runCommand(def.floor.argv),
  });
  for (const c of contenders) c.samples = [];
  const start = performance.now();
  const repeats = def.repeats ?? s.repeats;
  for (let i = 0; i < repeats && (i === 0 || performance.now() - start < s.rowBudgetMs); i++) {
    for (const c of contenders.filter((x) => !x.failed)) {
      try {
        const session = c.handle ? await c.handle.get() : null;
        const before = session?.stats.bytesIn ?? 0;
        const t0 = performance.now();
        const result = await c.call();
        c.samples.push(performance.now() - t0);
        if (i > 0) continue;
        if (bytes) bytes[c.key] = session ? session.stats.bytesIn - before : result.bytes;
        if (session && def.expect)
          noteCount(time, c.label, countEntries(result, def.expect.re), def.expect);
        if (session && def.check) def.check(result);
      } catch (err) {
        c.failed = true;
        addNote(time, `${c.label}: ${errorMessage(err)}`);
        // A timed-out call may leave the server busy: start it afresh for the next rows.
        if (c.handle && /timed out|timeout/i.test(errorMessage(err)))
          await c.handle.restart().catch(() => {});
      }
    }
  }
  for (const c of contenders) {
    time[c.key] = c.failed ? null : median(c.samples);
    if (c.failed && bytes) bytes[c.key] = null;
  }
}

function noteCount(row, label, got, expect) {
  row.counts ??= {};
  row.counts[label] = got;
  if (got !== expect.count) {
    const hint = got < expect.count ? ' (truncated?)' : '';
    addNote(row, `${label}: returned ${got} of ${expect.count} ${expect.what}${hint}`);
  }
}
