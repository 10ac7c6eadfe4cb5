import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// One signed-in browser. The cookie carries only `id` (random, 256 bits); the token that
// opened the session is never kept, only its name and the stamp of its current secret.
export interface DashboardSession {
  readonly id: string;
  readonly tokenName: string;
  // The token's createdAt or rotatedAt when the session opened: a rotate ends the session.
  readonly tokenStamp: string;
  // A read-only token may look but not undo.
  readonly readOnly: boolean;
  // Sent back by the page with every POST (header or form field): proves the POST comes from
  // a page the hub served to this session.
  readonly csrf: string;
  readonly expiresAt: number;
  // When the token behind it was last found still valid.
  checkedAt: number;
}

export interface SessionStore {
  open(token: { tokenName: string; tokenStamp: string; readOnly: boolean }): DashboardSession;
  // The live session of a cookie value, else undefined (unknown, or expired and dropped).
  find(id: string | undefined): DashboardSession | undefined;
  close(id: string): void;
  count(): number;
}

// Sessions last this long from login, and at most MAX_SESSIONS are open (the oldest goes).
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const MAX_SESSIONS = 64;

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

// Constant-time equality of two secrets of any length (compared by hash).
export function isSameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

// Sessions of one hub process, in memory: a restart signs everyone out, which is the safe way.
export function createSessionStore(
  options: { ttlMs?: number; max?: number; now?: () => number } = {},
): SessionStore {
  const ttl = options.ttlMs ?? SESSION_TTL_MS;
  const max = options.max ?? MAX_SESSIONS;
  const now = options.now ?? Date.now;
  // Keyed by the hash of the id, so a lookup's timing says nothing about stored ids.
  const sessions = new Map<string, DashboardSession>();
  const keyOf = (id: string): string => createHash('sha256').update(id).digest('hex');
  const sweep = (): void => {
    const at = now();
    for (const [key, s] of sessions) if (s.expiresAt <= at) sessions.delete(key);
  };
  return {
    open({ tokenName, tokenStamp, readOnly }) {
      sweep();
      while (sessions.size >= max) {
        const oldest = sessions.keys().next();
        if (oldest.done) break;
        sessions.delete(oldest.value);
      }
      const at = now();
      const session: DashboardSession = {
        id: newSecret(),
        tokenName,
        tokenStamp,
        readOnly,
        csrf: newSecret(),
        expiresAt: at + ttl,
        checkedAt: at,
      };
      sessions.set(keyOf(session.id), session);
      return session;
    },
    find(id) {
      if (id === undefined || id.length === 0 || id.length > 128) return undefined;
      const key = keyOf(id);
      const session = sessions.get(key);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(key);
        return undefined;
      }
      return session;
    },
    close(id) {
      sessions.delete(keyOf(id));
    },
    count: () => sessions.size,
  };
}
