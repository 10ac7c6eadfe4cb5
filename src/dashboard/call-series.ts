import type { CallEntry } from '../audit/index.js';

// One bar of the chart: calls and refusals (decision deny) that began in one minute.
export interface SeriesPoint {
  t: string;
  calls: number;
  refusals: number;
}

export const SERIES_BUCKET_MS = 60_000;
export const SERIES_BUCKETS = 60;

// Calls and refusals per minute over the last hour, oldest first, the current minute last
// (the page adds live records to that last bucket as they arrive).
export function buildCallSeries(entries: readonly CallEntry[], now = Date.now()): SeriesPoint[] {
  const end = Math.floor(now / SERIES_BUCKET_MS) * SERIES_BUCKET_MS;
  const start = end - (SERIES_BUCKETS - 1) * SERIES_BUCKET_MS;
  const points: SeriesPoint[] = Array.from({ length: SERIES_BUCKETS }, (_, i) => ({
    t: new Date(start + i * SERIES_BUCKET_MS).toISOString(),
    calls: 0,
    refusals: 0,
  }));
  for (const e of entries) {
    const time = Date.parse(e.time);
    if (Number.isNaN(time) || time < start) continue;
    const point =
      points[Math.min(SERIES_BUCKETS - 1, Math.floor((time - start) / SERIES_BUCKET_MS))];
    if (!point) continue;
    point.calls += 1;
    if (e.decision === 'deny') point.refusals += 1;
  }
  return points;
}
