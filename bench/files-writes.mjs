import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { measureCell } from './measure.mjs';
import { percentile, runInterleaved } from './stats.mjs';

// A 1 KiB body, different per call so no server can skip an unchanged write.
function body(i) {
  const head = `call ${i}\n`;
  return head + 'w'.repeat(1024 - head.length - 1) + '\n';
}

// The floor of a durable write on this disk, in the bench process with no MCP at all: what
// Bastion's write does to the file system (temp file, write, fsync, rename, directory fsync).
function durableWrite(dir, target, data) {
  const temp = `${target}.floor-tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

// Write rows: write_file of 1 KiB over an existing file, sequential, the servers taking turns in
// blocks of 25 calls. Each server writes its own file under <data>/bench-writes/, removed after.
// Bastion's write is durable (temp file fsync + rename + directory fsync); the official server
// and the bare floor write without fsync.
export async function measureSmallWrites({ row, sides, paths, s, noHistory }) {
  const floorTool = { floorTool: 'durable write in process' };
  const p50 = row(
    'write_seq_p50',
    `write_file 1 KB, sequential ×${s.seqWrites}: p50`,
    'ms',
    floorTool,
  );
  const p99 = row(
    'write_seq_p99',
    `write_file 1 KB, sequential ×${s.seqWrites}: p99`,
    'ms',
    floorTool,
  );
  // The same row with Bastion's history off (`noHistory`, a second Bastion server taking its turn
  // in the same loop): the durable write alone, without keeping the old content for undo.
  const offRows = noHistory
    ? {
        p50: row(
          'write_seq_nohist_p50',
          `write_file 1 KB, sequential ×${s.seqWrites}, Bastion history off: p50`,
          'ms',
          floorTool,
        ),
        p99: row(
          'write_seq_nohist_p99',
          `write_file 1 KB, sequential ×${s.seqWrites}, Bastion history off: p99`,
          'ms',
          floorTool,
        ),
      }
    : null;
  const writers = noHistory ? [...sides, noHistory] : sides;
  const dir = path.join(paths.root, 'bench-writes');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const target = (side) => path.join(dir, `${side.key}.txt`);
  try {
    const ready = [];
    for (const side of writers) {
      if (!side.ops.write) continue;
      const ok = await measureCell(p50, side.spec.label, side.handle, async () => {
        for (let i = 0; i < 10; i++) await side.ops.write(target(side), body(i));
        const got = readFileSync(target(side), 'utf8');
        if (got !== body(9)) throw new Error('the file does not hold the last write');
        return true;
      });
      if (ok) ready.push(side);
    }
    const fns = Object.fromEntries(
      ready.map((side) => [side.key, (i) => side.ops.write(target(side), body(i))]),
    );
    const floorTarget = path.join(dir, 'floor.txt');
    fns.floor = async (i) => durableWrite(dir, floorTarget, body(i));
    const seq = await measureCell(p50, 'sequential writes', null, () =>
      runInterleaved(s.seqWrites, s.rowBudgetMs, fns, 25),
    );
    for (const side of ready) {
      const latencies = seq?.latencies[side.key] ?? [];
      if (side === noHistory) {
        offRows.p50.bastion = percentile(latencies, 50);
        offRows.p99.bastion = percentile(latencies, 99);
        continue;
      }
      p50[side.key] = percentile(latencies, 50);
      p99[side.key] = percentile(latencies, 99);
    }
    p50.floor = percentile(seq?.latencies.floor ?? [], 50);
    p99.floor = percentile(seq?.latencies.floor ?? [], 99);
    if (offRows) {
      for (const key of ['anchor', 'bare', 'floor']) {
        offRows.p50[key] = p50[key];
        offRows.p99[key] = p99[key];
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
