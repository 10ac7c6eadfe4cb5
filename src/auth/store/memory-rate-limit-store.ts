import type { RateDecision, RateLimitStore } from '../types.js';

const WINDOW_MS = 60_000;
// Float slack when comparing times built from 60000 / perMinute steps.
const EPSILON_MS = 1e-3;
const DEFAULT_MAX_KEYS = 10_000;

export interface MemoryRateLimitStoreOptions {
  // The clock; Date.now by default.
  now?: () => number;
  // Most keys with a budget in use kept at once; beyond it the least recently hit is dropped.
  maxKeys?: number;
}

// The port plus what tests and metrics may read: how many keys hold state.
export interface MemoryRateLimitStore extends RateLimitStore {
  keyCount(): number;
}

// The rate limiter of one hub process: a GCRA (token bucket kept as one time per key) for
// requests per minute, and a counter per key for requests in flight.
export function createMemoryRateLimitStore(
  options: MemoryRateLimitStoreOptions = {},
): MemoryRateLimitStore {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  // key -> theoretical arrival time (ms): when the bucket would be full again. Map order is
  // last-hit order, oldest first, so idle keys and eviction victims are at the front.
  const buckets = new Map<string, number>();
  // key -> requests in flight; an entry exists only while one is, so it is bounded by the
  // requests the hub holds open.
  const inFlight = new Map<string, number>();

  const sweep = (at: number): void => {
    // A key whose bucket has refilled is the same as an absent one: drop it.
    for (const [key, tat] of buckets) {
      if (tat > at) break;
      buckets.delete(key);
    }
    // Security: memory exhaustion. A flood of distinct keys (addresses, guessed tokens) is
    // capped; the least recently seen lose their state, i.e. get a fresh budget.
    while (buckets.size > maxKeys) {
      const oldest = buckets.keys().next();
      if (oldest.done) break;
      buckets.delete(oldest.value);
    }
  };

  const hit = (key: string, perMinute: number): RateDecision => {
    // A budget of nothing (a misconfiguration) refuses rather than dividing by zero.
    if (!(perMinute > 0)) return { ok: false, retryAfterSeconds: 60 };
    const at = now();
    const interval = WINDOW_MS / perMinute;
    const tat = Math.max(buckets.get(key) ?? at, at);
    const next = tat + interval;
    // Allowed while the bucket holds one more request: at most perMinute in any burst, then
    // one per interval.
    if (next - at <= WINDOW_MS + EPSILON_MS) {
      buckets.delete(key);
      buckets.set(key, next);
      sweep(at);
      return { ok: true };
    }
    // When the next request fits: honest, so a client that waits this long gets through.
    const waitMs = next - at - WINDOW_MS;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((waitMs - EPSILON_MS) / 1000)) };
  };

  const acquire = (key: string, max: number): (() => void) | undefined => {
    const held = inFlight.get(key) ?? 0;
    if (held >= max) return undefined;
    inFlight.set(key, held + 1);
    let released = false;
    return () => {
      // Released once however often it is called: a double release must not free a slot
      // another request holds.
      if (released) return;
      released = true;
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left <= 0) inFlight.delete(key);
      else inFlight.set(key, left);
    };
  };

  return {
    hit: (key, perMinute) => Promise.resolve(hit(key, perMinute)),
    acquire: (key, max) => Promise.resolve(acquire(key, max)),
    keyCount: () => buckets.size + inFlight.size,
    close: () => {
      buckets.clear();
      inFlight.clear();
      return Promise.resolve();
    },
  };
}
