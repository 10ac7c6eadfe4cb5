import { describe, expect, it } from 'vitest';
import { createSessionStore } from './sessions.js';

const token = { tokenName: 'ops', tokenStamp: '2026-01-01T00:00:00.000Z', readOnly: false };

describe('dashboard sessions', () => {
  it('issues random ids and CSRF tokens, finds a session only by its exact id', () => {
    const store = createSessionStore();
    const a = store.open(token);
    const b = store.open(token);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(a.id);
    expect(store.find(a.id)).toBe(a);
    expect(store.find(`${a.id}x`)).toBeUndefined();
    expect(store.find('')).toBeUndefined();
    expect(store.find(undefined)).toBeUndefined();
    store.close(a.id);
    expect(store.find(a.id)).toBeUndefined();
    expect(store.find(b.id)).toBe(b);
  });

  it('drops a session at its expiry, and the oldest when full', () => {
    let now = 1_000;
    const store = createSessionStore({ ttlMs: 100, max: 2, now: () => now });
    const first = store.open(token);
    now += 50;
    const second = store.open(token);
    const third = store.open(token);
    expect(store.find(first.id)).toBeUndefined();
    expect(store.find(second.id)).toBe(second);
    now += 60;
    expect(store.find(second.id)).toBe(second);
    now += 50;
    expect(store.find(second.id)).toBeUndefined();
    expect(store.find(third.id)).toBeUndefined();
    expect(store.count()).toBe(0);
  });
});
