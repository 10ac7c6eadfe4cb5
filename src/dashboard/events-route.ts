import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { TokenStore } from '../auth/types.js';
import type { DashboardEnv } from './dashboard-env.js';
import type { LiveFeed, LiveRecord } from './live-feed.js';
import { isSessionTokenValid } from './session-auth.js';
import type { SessionStore } from './sessions.js';

// A heartbeat keeps proxies from closing an idle stream.
const HEARTBEAT_MS = 10_000;
// How often the session's token is checked again (as often as sessionAuth looks it up again),
// so a stream ends within the 2 s of a revoke or rotate the docs promise, as its session does.
const RECHECK_MS = 2_000;
// Records queued for a client that does not read: past this the stream is closed (the page
// reconnects and reloads the list), so a stalled browser cannot grow the hub's memory.
const MAX_QUEUED = 512;

export interface EventStreams {
  handle(c: Context<DashboardEnv>): Response | Promise<Response>;
  // Ends every open stream (the hub is stopping).
  closeAll(): void;
}

// GET /dashboard/api/events: each audit record, as it is written, as one `record` event.
export function createEventStreams(deps: {
  feed: LiveFeed;
  tokens: TokenStore;
  sessions: SessionStore;
}): EventStreams {
  const open = new Set<() => void>();
  return {
    handle(c) {
      const session = c.get('session');
      return streamSSE(c, async (stream) => {
        let queued = 0;
        let ended = false;
        let wake: () => void = () => undefined;
        const finished = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const end = (): void => {
          ended = true;
          wake();
        };
        const send = (record: LiveRecord): void => {
          if (ended) return;
          // Security: a session ended (sign-out, or its token found revoked) gets no more records.
          if (!deps.sessions.find(session.id)) return end();
          if (queued >= MAX_QUEUED) return end();
          queued += 1;
          stream
            .writeSSE({ event: 'record', data: JSON.stringify(record) })
            .then(() => (queued -= 1), end);
        };
        const unsubscribe = deps.feed.subscribe(send);
        if (!unsubscribe) {
          await stream.writeSSE({ event: 'busy', data: 'too many open event streams' });
          return;
        }
        open.add(end);
        stream.onAbort(end);
        const recheck = setInterval(() => {
          isSessionTokenValid(deps.tokens, session).then((valid) => {
            if (!valid) deps.sessions.close(session.id);
            if (!valid || !deps.sessions.find(session.id)) end();
          }, end);
        }, RECHECK_MS);
        const heartbeat = setInterval(() => {
          stream.writeSSE({ event: 'ping', data: '' }).catch(end);
        }, HEARTBEAT_MS);
        try {
          await stream.writeSSE({ event: 'ready', data: '' });
          await finished;
        } finally {
          clearInterval(heartbeat);
          clearInterval(recheck);
          unsubscribe();
          open.delete(end);
        }
      });
    },
    closeAll() {
      for (const end of [...open]) end();
    },
  };
}
