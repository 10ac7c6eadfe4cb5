import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from './memory-rate-limit-store.js';

const T0 = 1_000_000;

function limiter(maxKeys?: number) {
  const clock = { ms: T0 };
  const store = createMemoryRateLimitStore({
    now: () => clock.ms,
    ...(maxKeys !== undefined ? { maxKeys } : {}),
  });
  return { clock, store };
}

describe('memory rate limiter: requests per minute', () => {
  it('allows the budget as a burst, then one request per 60/perMinute seconds', async () => {
    const { clock, store } = limiter();
    for (let i = 0; i < 3; i++) expect(await store.hit('k', 3)).toEqual({ ok: true });
    expect(await store.hit('k', 3)).toEqual({ ok: false, retryAfterSeconds: 20 });
    clock.ms += 19_000;
    expect(await store.hit('k', 3)).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.ms += 1000;
    expect(await store.hit('k', 3)).toEqual({ ok: true });
    expect(await store.hit('k', 3)).toEqual({ ok: false, retryAfterSeconds: 20 });
    clock.ms += 60_000;
    for (let i = 0; i < 3; i++) expect(await store.hit('k', 3)).toEqual({ ok: true });
    expect((await store.hit('k', 3)).ok).toBe(false);
  });

  it('[AUTH-RATE-02] says Retry-After of at least 1 s, and honestly: waiting that long gets the next request through', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2000 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 60 }),
        async (perMinute, gaps) => {
          const { clock, store } = limiter();
          for (const gap of gaps) {
            clock.ms += gap;
            const decision = await store.hit('k', perMinute);
            if (!decision.ok) {
              expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
              expect(Number.isInteger(decision.retryAfterSeconds)).toBe(true);
              clock.ms += decision.retryAfterSeconds * 1000;
              expect(await store.hit('k', perMinute)).toEqual({ ok: true });
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never allows more than the burst plus what refilled, over any span', async () => {
    const { clock, store } = limiter();
    const allowed: number[] = [];
    for (let i = 0; i < 2000; i++) {
      clock.ms += (i * 7919) % 97;
      if ((await store.hit('k', 50)).ok) allowed.push(clock.ms);
    }
    expect(allowed.length).toBeGreaterThan(50);
    // Between the i-th and j-th allowed request: at most 50 (the burst) plus one per 1.2 s.
    for (let i = 0; i < allowed.length; i++)
      for (let j = i; j < allowed.length; j++)
        expect(j - i + 1).toBeLessThanOrEqual(50 + Math.floor((allowed[j]! - allowed[i]!) / 1200));
  });

  it('[AUTH-RATE-02] keeps keys independent', async () => {
    const { store } = limiter();
    expect((await store.hit('token:a', 1)).ok).toBe(true);
    expect((await store.hit('token:a', 1)).ok).toBe(false);
    expect((await store.hit('token:b', 1)).ok).toBe(true);
    expect((await store.hit('unauthenticated:127.0.0.1', 1)).ok).toBe(true);
  });

  it('refuses a non-positive budget instead of dividing by zero', async () => {
    const { store } = limiter();
    expect(await store.hit('k', 0)).toEqual({ ok: false, retryAfterSeconds: 60 });
  });
});

describe('memory rate limiter: memory', () => {
  it('drops keys whose budget has refilled', async () => {
    const { clock, store } = limiter();
    for (let i = 0; i < 500; i++) await store.hit(`addr:${i}`, 30);
    expect(store.keyCount()).toBe(500);
    clock.ms += 2000;
    await store.hit('late', 30);
    expect(store.keyCount()).toBe(1);
  });

  it('[AUTH-RATE-01] caps the number of keys under a flood of distinct keys, evicting the least recently hit', async () => {
    const { store } = limiter(100);
    expect((await store.hit('victim', 1)).ok).toBe(true);
    expect((await store.hit('victim', 1)).ok).toBe(false);
    for (let i = 0; i < 10_000; i++) {
      await store.hit(`flood:${i}`, 1);
      expect(store.keyCount()).toBeLessThanOrEqual(100);
    }
    // Evicted: its state is gone, so it starts from a full budget.
    expect((await store.hit('victim', 1)).ok).toBe(true);
    // The default cap is 10,000.
    const big = limiter().store;
    for (let i = 0; i < 12_000; i++) await big.hit(`flood:${i}`, 1);
    expect(big.keyCount()).toBe(10_000);
  });
});

describe('memory rate limiter: concurrency', () => {
  it('[AUTH-RATE-02] hands out at most max slots per key; release is idempotent', async () => {
    const { store } = limiter();
    const first = await store.acquire('k', 2);
    const second = await store.acquire('k', 2);
    expect(first).toBeTypeOf('function');
    expect(second).toBeTypeOf('function');
    expect(await store.acquire('k', 2)).toBeUndefined();
    expect(await store.acquire('other', 2)).toBeTypeOf('function');
    first!();
    first!();
    first!();
    const third = await store.acquire('k', 2);
    expect(third).toBeTypeOf('function');
    // The double releases above freed one slot, not three.
    expect(await store.acquire('k', 2)).toBeUndefined();
    second!();
    third!();
    expect(store.keyCount()).toBe(1);
    await store.close();
    expect(store.keyCount()).toBe(0);
  });
});
