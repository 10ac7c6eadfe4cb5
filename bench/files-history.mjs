import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createServerHandle } from './mcp-client.mjs';
import { makeRow, measureCell } from './measure.mjs';
import { percentile, runInterleaved } from './stats.mjs';
import { runShellHistoryWorkload } from './shell-history.mjs';

const SIZES = [
  { label: '1 KiB', bytes: 1024, calls: { full: 200, quick: 50 } },
  { label: '10 MiB', bytes: 10 * 1024 * 1024, calls: { full: 20, quick: 6 } },
];

// A body of `bytes`, different per call so the history cannot deduplicate the kept versions.
function body(i, bytes) {
  const head = `call ${i}\n`;
  return head + 'h'.repeat(bytes - head.length - 1) + '\n';
}

// History rows: the cost of keeping what write_file replaces (the old content into the blob
// store, fsynced, plus one journal entry) against the same server with history off, on 1 KiB
// and 10 MiB overwrites of an existing file. "Bastion" = history on; the floor column = off.
export async function runHistoryWorkload({ specs, data, quick, log }) {
  const rows = [];
  const sides = {
    on: createServerHandle(specs.bastionFiles),
    off: createServerHandle(specs.bastionFilesNoHistory),
  };
  const dir = path.join(data.paths.root, 'bench-history');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  try {
    for (const size of SIZES) {
      log(`history: write_file ${size.label}, history on vs off`);
      const count = quick ? size.calls.quick : size.calls.full;
      const p50 = makeRow(
        'history',
        `history_write_${size.bytes}_p50`,
        `write_file ${size.label} over a file, history on vs off ×${count}: p50`,
        'ms',
        { floorTool: 'history off' },
      );
      rows.push(p50);
      const target = (key) => path.join(dir, `${key}-${size.bytes}.txt`);
      const fns = {};
      for (const [key, handle] of Object.entries(sides)) {
        writeFileSync(target(key), body(-1, size.bytes));
        const session = await measureCell(p50, handle.spec.label, handle, () => handle.get());
        if (session === null) continue;
        fns[key] = async (i) => {
          const result = await session.call(
            'write_file',
            { path: target(key), content: body(i, size.bytes) },
            120_000,
          );
          if (result.isError) throw new Error('write_file failed');
        };
      }
      const run = await measureCell(p50, 'history writes', null, () =>
        runInterleaved(count, quick ? 30_000 : 120_000, fns, 5),
      );
      p50.bastion = percentile(run?.latencies.on ?? [], 50);
      p50.floor = percentile(run?.latencies.off ?? [], 50);
    }
  } finally {
    await sides.on.close();
    await sides.off.close();
    rmSync(dir, { recursive: true, force: true });
    // What this row kept (up to ~200 MiB) is not worth keeping on the bench machine.
    rmSync(path.join(specs.bastionFiles.cwd, 'history'), { recursive: true, force: true });
  }
  rows.push(...(await runShellHistoryWorkload({ specs, quick, log })));
  rmSync(path.join(specs.bastionFiles.cwd, 'history'), { recursive: true, force: true });
  return rows;
}
