import { textOf } from './mcp-client.mjs';
import { measureCell } from './measure.mjs';
import { percentile, runInterleaved, runPool } from './stats.mjs';

// Small-read rows: read_text_file of a 1 KB file, sequential (the servers taking turns in blocks
// of 50 calls) and with `s.pool` calls in flight (one server at a time per round, in turns).
export async function measureSmallReads({ row, sides, paths, s }) {
  const label = (what) => `read_text_file 1 KB, ${what}`;
  const seqP50 = row('read_seq_p50', label(`sequential ×${s.seqReads}: p50`), 'ms');
  const seqP99 = row('read_seq_p99', label(`sequential ×${s.seqReads}: p99`), 'ms');
  const pooled = `${s.pool} in flight ×${s.poolReads}`;
  const poolP50 = row('read_pool_p50', label(`${pooled}: p50`), 'ms');
  const poolP99 = row('read_pool_p99', label(`${pooled}: p99`), 'ms');
  const poolWall = row('read_pool_wall', label(`${pooled}: wall time`), 'ms');
  const poolRate = row('read_pool_rate', label(`${pooled}: calls/s (higher is better)`), 'calls/s');

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

  // The pool runs in rounds, the servers taking turns (one at a time: concurrent calls of two
  // servers would compete for the same cores), so drifting load is spread over all of them.
  const rounds = s.poolRounds ?? 1;
  const perRound = Math.ceil(s.poolReads / rounds);
  const pools = new Map(ready.map((side) => [side.key, { latencies: [], wallMs: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const side of ready) {
      const acc = pools.get(side.key);
      if (acc.failed) continue;
      const ok = await measureCell(poolP50, side.spec.label, side.handle, async () => {
        const pool = await runPool(perRound, s.pool, s.rowBudgetMs / rounds, () =>
          side.ops.read(paths.small),
        );
        acc.latencies.push(...pool.latencies);
        acc.wallMs += pool.wallMs;
        return true;
      });
      if (!ok) acc.failed = true;
    }
  }
  for (const side of ready) {
    const acc = pools.get(side.key);
    if (acc.failed) continue;
    const calls = acc.latencies.length;
    poolP50[side.key] = percentile(acc.latencies, 50);
    poolP99[side.key] = percentile(acc.latencies, 99);
    poolWall[side.key] = calls === perRound * rounds ? acc.wallMs : null;
    poolRate[side.key] = acc.wallMs > 0 ? (calls / acc.wallMs) * 1000 : null;
    if (calls < perRound * rounds)
      poolWall.notes.push(`${side.spec.label}: only ${calls} calls within the time budget`);
  }
}
