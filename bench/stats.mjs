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

// Time one async call in milliseconds.
export async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

// Run `count` calls sequentially, stopping early once `budgetMs` of wall time is spent.
export async function runSequential(count, budgetMs, fn) {
  const latencies = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    if (performance.now() - start > budgetMs) break;
    const t0 = performance.now();
    await fn(i);
    latencies.push(performance.now() - t0);
  }
  return { latencies, wallMs: performance.now() - start };
}

// Run `count` calls with `concurrency` in flight (a promise pool), with the same wall-time budget.
export async function runPool(count, concurrency, budgetMs, fn) {
  const latencies = [];
  const start = performance.now();
  let next = 0;
  async function worker() {
    while (next < count && performance.now() - start <= budgetMs) {
      const i = next++;
      const t0 = performance.now();
      await fn(i);
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
