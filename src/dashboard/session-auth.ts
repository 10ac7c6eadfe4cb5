import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import type { RateLimitStore, TokenInfo, TokenStore } from '../auth/types.js';
import type { DashboardEnv, DashboardRefusal } from './dashboard-env.js';
import { renderLoginPage } from './pages.js';
import { isSameSecret, type DashboardSession, type SessionStore } from './sessions.js';

// The cookie that carries a session id (Path=/dashboard: no other route of the hub sees it).
export const SESSION_COOKIE = 'bastion_dashboard';
export const COOKIE_PATH = '/dashboard';
// The header the page sends its CSRF token in (a form sends the field `csrf`).
export const CSRF_HEADER = 'x-bastion-csrf';
// How often a session's token is looked up again (revoked, rotated, expired, scope removed).
const RECHECK_MS = 2_000;

export interface SessionAuthOptions {
  sessions: SessionStore;
  tokens: TokenStore;
  limiter: RateLimitStore;
  unauthenticatedPerMinute: number;
  onRefused?: (reason: DashboardRefusal) => void;
}

// The stamp of a token's current secret: a rotate changes it.
export function tokenStampOf(info: Pick<TokenInfo, 'createdAt' | 'rotatedAt'>): string {
  return info.rotatedAt ?? info.createdAt;
}

// Security: a session lives no longer than the token that opened it. Revoking or rotating the
// token, its expiry, or taking the dashboard scope away ends every session it opened.
export async function isSessionTokenValid(
  tokens: TokenStore,
  session: DashboardSession,
  now = Date.now(),
): Promise<boolean> {
  if (now - session.checkedAt < RECHECK_MS) return true;
  const info = (await tokens.list()).find((t) => t.tokenName === session.tokenName);
  const valid =
    info !== undefined &&
    info.servers.includes('dashboard') &&
    (info.expiresAt === undefined || Date.parse(info.expiresAt) > now) &&
    tokenStampOf(info) === session.tokenStamp;
  if (valid) session.checkedAt = now;
  return valid;
}

function isApi(c: Context): boolean {
  return c.req.path.startsWith(`${COOKIE_PATH}/api/`);
}

// Security: an API answer to a stranger says only that a session is needed (no audit data).
function refuse(c: Context<DashboardEnv>, status: 401 | 429 | 503, message: string): Response {
  if (isApi(c) || c.req.method !== 'GET') return c.json({ error: message }, status);
  return c.html(
    renderLoginPage({ message: status === 401 ? undefined : message }),
    status === 401 ? 200 : status,
  );
}

// Requires a live session cookie; the page without one is the login form, the API answers 401.
// A cookie that names no session spends from the same per-address guessing budget as a bad token.
export function sessionAuth(options: SessionAuthOptions): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const raw = getCookie(c, SESSION_COOKIE);
    const session = options.sessions.find(raw);
    if (!session) {
      if (raw !== undefined) {
        deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH });
        // Security: session guessing. A forged cookie costs a guess, like a forged token.
        const decision = await options.limiter.hit(
          `unauthenticated:${c.get('address')}`,
          options.unauthenticatedPerMinute,
        );
        if (!decision.ok) {
          options.onRefused?.('guessing');
          c.header('retry-after', String(decision.retryAfterSeconds));
          return refuse(c, 429, 'Too many requests without a valid session; retry later.');
        }
      }
      options.onRefused?.(raw === undefined ? 'missing' : 'invalid');
      return refuse(c, 401, 'Sign in at /dashboard with a token that has the dashboard scope.');
    }
    let valid: boolean;
    try {
      valid = await isSessionTokenValid(options.tokens, session);
    } catch {
      // Security: fail closed when the token file cannot be read.
      options.onRefused?.('unavailable');
      return refuse(c, 503, 'The hub cannot check tokens right now; see its log.');
    }
    if (!valid) {
      options.sessions.close(session.id);
      deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH });
      options.onRefused?.('invalid');
      return refuse(c, 401, 'The token of this session was revoked, rotated or has expired.');
    }
    c.set('session', session);
    return next();
  };
}

// Security: cross-site request forgery. A POST must come from a page of this hub: the browser
// names its Origin (checked against the allow-list by the hub's origin check before this), and
// Sec-Fetch-Site, when sent, must say same-origin. Login CSRF is stopped the same way.
export function sameOriginPost(): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const site = c.req.header('sec-fetch-site');
    if (c.req.header('origin') === undefined || (site !== undefined && site !== 'same-origin'))
      return c.json(
        { error: 'Forbidden: a dashboard POST must come from the dashboard page.' },
        403,
      );
    return next();
  };
}

// Security: CSRF token. Beyond SameSite=Strict and the Origin check, a state-changing POST must
// carry the secret the hub put in this session's page.
export function isCsrfValid(session: DashboardSession, sent: string | undefined): boolean {
  return sent !== undefined && sent.length <= 128 && isSameSecret(sent, session.csrf);
}
