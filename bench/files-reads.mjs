import { textOf } from './mcp-client.mjs';
import { measureCell } from './measure.mjs';
import { percentile, runInterleaved, runPool } from './stats.mjs';

// Small-read rows: read_text_file of a 1 KB file, sequential (the two servers taking turns in
// blocks of 50 calls) and with `s.pool` calls in flight (one server at a time, as concurrency would compete).
export async function measureSmallReads({ row, sides, paths, s }) {
  const label = (what) => `read_text_file 1 KB, ${what}`;
  const seqP50 = row('read_seq_p50', label(`sequential ×${s.seqReads}: p50`), 'ms');
  const seqP99 = row('read_seq_p99', label(`sequential ×${s.seqReads}: p99`), 'ms');
  const pooled = `${s.pool} in flight ×${s.poolReads}`;
  const poolP50 = row('read_pool_p50', label(`${pooled}: p50`), 'ms');
  const poolP99 = row('read_pool_p99', label(`${pooled}: p99`), 'ms');
  const poolWall = row('read_pool_wall', label(`${pooled}: wall time`), 'ms');

  const ready = [];
  for (const side of sides) {
    if (!side.ops.read) continue;
    const ok = await measureCell(seqP50, side.spec.label, side.handle, async () => {
      const first = await side.ops.read(paths.small);
      const got = textOf(first).length;
      if (got < 1024) throw new Error(`read returned ${got} chars, expected 1024`);
      for (let i = 0; i < 20; i++) await side.ops.read(paths.small);
      return true;
    });
    if (ok) ready.push(side);
  }

  const fns = Object.fromEntries(ready.map((side) => [side.key, () => side.ops.read(paths.small)]));
  const seq = await measureCell(seqP50, 'sequential reads', null, () =>
    runInterleaved(s.seqReads, s.rowBudgetMs, fns, 50),
  );
  for (const side of ready) {
    const latencies = seq?.latencies[side.key] ?? [];
    seqP50[side.key] = percentile(latencies, 50);
    seqP99[side.key] = percentile(latencies, 99);
    if (seq && latencies.length < s.seqReads)
      seqP50.notes.push(
        `${side.spec.label}: only ${latencies.length} calls within the time budget`,
      );
  }

  for (const side of ready) {
    await measureCell(poolP50, side.spec.label, side.handle, async () => {
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
}
