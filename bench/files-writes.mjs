import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { measureCell } from './measure.mjs';
import { percentile, runInterleaved } from './stats.mjs';

// A 1 KiB body, different per call so no server can skip an unchanged write.
function body(i) {
  const head = `call ${i}\n`;
  return head + 'w'.repeat(1024 - head.length - 1) + '\n';
}

// Write rows: write_file of 1 KiB over an existing file, sequential, the servers taking turns in
// blocks of 25 calls. Each server writes its own file under <data>/bench-writes/, removed after.
// Bastion's write is durable (temp file fsync + rename + directory fsync); the official server
// and the bare floor write without fsync.
export async function measureSmallWrites({ row, sides, paths, s }) {
  const p50 = row('write_seq_p50', `write_file 1 KB, sequential ×${s.seqWrites}: p50`, 'ms');
  const p99 = row('write_seq_p99', `write_file 1 KB, sequential ×${s.seqWrites}: p99`, 'ms');
  const dir = path.join(paths.root, 'bench-writes');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const target = (side) => path.join(dir, `${side.key}.txt`);
  try {
    const ready = [];
    for (const side of sides) {
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
    const seq = await measureCell(p50, 'sequential writes', null, () =>
      runInterleaved(s.seqWrites, s.rowBudgetMs, fns, 25),
    );
    for (const side of ready) {
      const latencies = seq?.latencies[side.key] ?? [];
      p50[side.key] = percentile(latencies, 50);
      p99[side.key] = percentile(latencies, 99);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
