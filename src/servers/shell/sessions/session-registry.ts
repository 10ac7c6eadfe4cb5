import type { ShellConfig } from '../../../config/index.js';
import { InvalidInputError, LimitExceededError } from '../../../errors/index.js';
import type { SessionEnd, ShellSession } from './shell-session.js';

// How long an ended session stays readable (its last output and exit code) before it is dropped.
const ENDED_RETENTION_MS = 5 * 60_000;

// The live sessions of one server: the maxSessions cap, the idle and lifetime timers, and the
// guarantee that every session dies with the server.
export interface SessionRegistry {
  assertCapacity(): void;
  add(session: ShellSession): void;
  get(rawId: string): ShellSession;
  list(): ShellSession[];
  remove(id: string): void;
  // The session's program ended: stop its timers, keep it readable for a while.
  ended(session: ShellSession, end: SessionEnd): void;
  // Re-arm the idle deadline after a send or a read.
  touch(session: ShellSession): void;
  closeAll(): Promise<void>;
  // The sessions of one owner (a token's name over HTTP): sessions of other owners are absent
  // from it, so another token can neither see, read, write nor kill them. `undefined` = all
  // (one local client on stdio).
  forOwner(owner: string | undefined): SessionRegistry;
}

function unknownSession(rawId: string): InvalidInputError {
  return new InvalidInputError(
    `sessionId: expected the id of a current session (see list_sessions), got "${rawId.slice(0, 80)}"`,
  );
}

// One registry per server; `onExpire` reports a session killed by a timer (for the audit log).
export function createSessionRegistry(
  shell: Readonly<ShellConfig>,
  onExpire: (session: ShellSession, reason: SessionEnd) => void,
): SessionRegistry {
  const sessions = new Map<string, ShellSession>();
  const owners = new Map<string, string>();
  const timers = new Map<string, NodeJS.Timeout>();

  const clearTimer = (id: string): void => {
    const timer = timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(id);
  };

  // Security: a forgotten session cannot run forever; whichever deadline comes first kills it.
  const arm = (session: ShellSession): void => {
    clearTimer(session.id);
    if (!session.running) return;
    const idleAt = session.lastActivityAt + shell.sessionIdleMs;
    const lifetimeAt = session.startedAt + shell.sessionLifetimeMs;
    const reason: SessionEnd = lifetimeAt <= idleAt ? 'lifetime-exceeded' : 'idle-timeout';
    const delay = Math.max(0, Math.min(idleAt, lifetimeAt) - Date.now());
    const timer = setTimeout(() => {
      timers.delete(session.id);
      if (!session.running) return;
      // Activity may have moved the idle deadline since this timer was set.
      if (reason === 'idle-timeout' && Date.now() < session.lastActivityAt + shell.sessionIdleMs) {
        arm(session);
        return;
      }
      onExpire(session, reason);
      void session.kill(reason);
    }, delay);
    timer.unref();
    timers.set(session.id, timer);
  };

  const dropEnded = (id: string): void => {
    const timer = setTimeout(() => {
      sessions.delete(id);
      owners.delete(id);
    }, ENDED_RETENTION_MS);
    timer.unref();
    timers.set(id, timer);
  };

  const registry: SessionRegistry = {
    assertCapacity() {
      const running = [...sessions.values()].filter((s) => s.running).length;
      if (running >= shell.maxSessions) {
        throw new LimitExceededError(
          `too many sessions: ${running} running, the configured maximum is ${shell.maxSessions}; ` +
            'end one with kill_session (see list_sessions) before starting another',
        );
      }
    },
    add(session) {
      // Security: ended sessions stay readable for a while, but never more than maxSessions of
      // them, so starting short-lived sessions in a loop cannot pile up their buffers.
      const ended = [...sessions.values()].filter((s) => !s.running);
      for (const old of ended.slice(0, Math.max(0, ended.length - shell.maxSessions + 1))) {
        clearTimer(old.id);
        sessions.delete(old.id);
        owners.delete(old.id);
      }
      sessions.set(session.id, session);
      arm(session);
    },
    get(rawId) {
      const session = sessions.get(rawId);
      if (session === undefined) throw unknownSession(rawId);
      return session;
    },
    list: () => [...sessions.values()],
    remove(id) {
      clearTimer(id);
      sessions.delete(id);
      owners.delete(id);
    },
    ended(session) {
      clearTimer(session.id);
      if (sessions.has(session.id)) dropEnded(session.id);
    },
    touch(session) {
      session.touch();
      if (session.running) arm(session);
    },
    async closeAll() {
      const all = [...sessions.values()];
      for (const id of [...timers.keys()]) clearTimer(id);
      await Promise.allSettled(all.map((s) => s.kill('server-closed')));
      sessions.clear();
      owners.clear();
    },
    forOwner(owner) {
      if (owner === undefined) return registry;
      const owns = (id: string): boolean => owners.get(id) === owner;
      return {
        ...registry,
        add(session) {
          owners.set(session.id, owner);
          registry.add(session);
        },
        // Security: another owner's session id reads exactly as an unknown one (no probing).
        get(rawId) {
          if (!owns(rawId)) throw unknownSession(rawId);
          return registry.get(rawId);
        },
        list: () => registry.list().filter((s) => owns(s.id)),
        remove(id) {
          if (owns(id)) registry.remove(id);
        },
        forOwner: (other) => registry.forOwner(other),
      };
    },
  };
  return registry;
}
