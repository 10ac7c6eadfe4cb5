import { describe, expect, it } from 'vitest';
import { ShellSchema } from '../../../config/index.js';
import { createSessionRegistry } from './session-registry.js';
import type { SessionEnd, ShellSession } from './shell-session.js';

// A stand-in session: the registry only reads ids, times and the running flag, and calls kill.
function fakeSession(id: string): ShellSession & { end(): void; killedWith: SessionEnd[] } {
  let running = true;
  const killedWith: SessionEnd[] = [];
  return {
    id,
    command: 'sleep 60',
    cwd: '/',
    root: { path: '/tmp', mode: 'read-write' },
    policy: ShellSchema.parse({}).policy,
    inputCheck: { kind: 'none' },
    startedAt: Date.now(),
    lastActivityAt: Date.now(),
    unreadBytes: 0,
    get running() {
      return running;
    },
    touch: () => undefined,
    write: () => undefined,
    read: () => Promise.reject(new Error('not used')),
    kill(reason) {
      killedWith.push(reason);
      running = false;
      return Promise.resolve();
    },
    end() {
      running = false;
    },
    killedWith,
  };
}

describe('createSessionRegistry', () => {
  const shell = ShellSchema.parse({ maxSessions: 2 });

  it('caps running sessions, and frees a slot when one ends', () => {
    const registry = createSessionRegistry(shell, () => undefined);
    const a = fakeSession('a');
    registry.add(a);
    registry.add(fakeSession('b'));
    expect(() => registry.assertCapacity()).toThrow('the configured maximum is 2');
    a.end();
    expect(() => registry.assertCapacity()).not.toThrow();
  });

  it('keeps at most maxSessions ended sessions, dropping the oldest first', () => {
    const registry = createSessionRegistry(shell, () => undefined);
    for (let i = 0; i < 10; i += 1) {
      const session = fakeSession(`s${i}`);
      registry.add(session);
      session.end();
    }
    expect(registry.list().map((s) => s.id)).toEqual(['s8', 's9']);
  });

  it('kills every session on closeAll and forgets them', async () => {
    const registry = createSessionRegistry(shell, () => undefined);
    const a = fakeSession('a');
    registry.add(a);
    await registry.closeAll();
    expect(a.killedWith).toEqual(['server-closed']);
    expect(registry.list()).toEqual([]);
  });
});
