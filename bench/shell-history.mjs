import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createServerHandle } from './mcp-client.mjs';
import { addNote, makeRow, measureCell } from './measure.mjs';
import { percentile, runInterleaved } from './stats.mjs';

// What each row runs; the overwrite differs per call so every call really changes the file.
const CASES = [
  {
    id: 'history_command_nochange',
    label: 'run_command that changes nothing (true)',
    command: () => 'true',
    calls: { full: 200, quick: 40 },
    goal: 'history on at most 2 ms over off',
  },
  {
    id: 'history_command_write_1024',
    label: 'run_command overwriting a 1 KiB file',
    command: (i, file) => `head -c 1000 /dev/zero | tr '\\0' x > ${file}; echo ${i} >> ${file}`,
    calls: { full: 200, quick: 40 },
  },
];

// History of commands: the same shell server with history on (each read-write root overlaid,
// the upper dir applied and kept after the exit; staging in the history dir, and on a tmpfs)
// and off, interleaved call by call. The Bastion column is staging in the history dir; the
// tmpfs figure goes in the row's notes.
export async function runShellHistoryWorkload({ specs, quick, log }) {
  const rows = [];
  const sides = {
    on: createServerHandle(specs.bastionShellHistory),
    tmpfs: createServerHandle(specs.bastionShellHistoryTmpfs),
    off: createServerHandle(specs.bastionShellNoHistory),
  };
  const root = specs.bastionShellHistory.args.at(-1);
  const dir = path.join(root, 'bench-shell-history');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  try {
    for (const c of CASES) {
      log(`history: ${c.label}, history on vs off`);
      const count = quick ? c.calls.quick : c.calls.full;
      const p50 = makeRow(
        'history',
        `${c.id}_p50`,
        `${c.label}, history on vs off ×${count}: p50`,
        'ms',
        {
          floorTool: 'history off',
          ...(c.goal ? { goal: c.goal } : {}),
        },
      );
      rows.push(p50);
      const fns = {};
      for (const [key, handle] of Object.entries(sides)) {
        const file = path.join(dir, `${key}.txt`);
        writeFileSync(file, 'x'.repeat(1024));
        const session = await measureCell(p50, handle.spec.label, handle, () => handle.get());
        if (session === null) continue;
        const run = async (i) => {
          const result = await session.call(
            'run_command',
            { command: c.command(i, file), cwd: dir },
            60_000,
          );
          if (result.isError || result.structuredContent?.exitCode !== 0)
            throw new Error(`run_command failed: ${JSON.stringify(result).slice(0, 200)}`);
        };
        for (let i = 0; i < 5; i++) await run(-1 - i);
        fns[key] = run;
      }
      const run = await measureCell(p50, 'history commands', null, () =>
        runInterleaved(count, quick ? 30_000 : 120_000, fns, 5),
      );
      p50.bastion = percentile(run?.latencies.on ?? [], 50);
      p50.floor = percentile(run?.latencies.off ?? [], 50);
      const tmpfs = percentile(run?.latencies.tmpfs ?? [], 50);
      if (tmpfs !== null) addNote(p50, `history on, staging on tmpfs: ${tmpfs.toFixed(1)} ms`);
      if (c.goal && p50.bastion !== null && p50.floor !== null)
        p50.met = p50.bastion - p50.floor <= 2;
    }
  } finally {
    await sides.on.close();
    await sides.tmpfs.close();
    await sides.off.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
