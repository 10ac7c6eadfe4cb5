// Small timing and statistics helpers shared by the workloads.

// Nearest-rank percentile of an unsorted sample (p in 0..100); null for an empty sample.
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values) {
  return percentile(values, 50);
}

// Run `count` calls with `concurrency` in flight (a promise pool), with the same wall-time budget.
// `fn(i, worker)` also gets the worker's index (0..concurrency-1), e.g. to pick its own session.
export async function runPool(count, concurrency, budgetMs, fn) {
  const latencies = [];
  const start = performance.now();
  let next = 0;
  async function worker(_, w) {
    while (next < count && performance.now() - start <= budgetMs) {
      const i = next++;
      const t0 = performance.now();
      await fn(i, w);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, wallMs: performance.now() - start };
}

// Reject with a labelled error when `promise` takes longer than `ms`.
export function withTimeout(promise, ms, label) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Take turns over named calls in blocks of `block` calls each, until every name has made `count`
// calls or `budgetMs` is spent. Turns spread load that drifts during the run (other work on a
// shared machine) over every contender alike; blocks (rather than single alternating calls) keep
// the work a server defers past its answer (logging, telemetry, cleanup) on its own account.
export async function runInterleaved(count, budgetMs, fns, block = 1) {
  const latencies = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
  const start = performance.now();
  for (let done = 0; done < count && performance.now() - start <= budgetMs; done += block) {
    for (const [name, fn] of Object.entries(fns)) {
      for (let i = done; i < Math.min(done + block, count); i++) {
        const t0 = performance.now();
        await fn(i);
        latencies[name].push(performance.now() - t0);
      }
    }
  }
  return { latencies, wallMs: performance.now() - start };
}
