import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Principal, RateLimitStore, TokenInfo, TokenStore } from '../auth/types.js';
import type { DashboardEnv, DashboardRefusal } from './dashboard-env.js';
import { renderLoginPage } from './pages.js';
import { COOKIE_PATH, isCsrfValid, SESSION_COOKIE, tokenStampOf } from './session-auth.js';
import { SESSION_TTL_MS, type SessionStore } from './sessions.js';

export interface LoginDeps {
  sessions: SessionStore;
  tokens: TokenStore;
  limiter: RateLimitStore;
  unauthenticatedPerMinute: number;
  // Secure cookies when the browser reaches the hub over TLS (its own, or a proxy's).
  secureCookies: boolean;
  onRefused?: (reason: DashboardRefusal) => void;
}

// A token longer than this is no Bastion token; it is refused without hashing megabytes.
const MAX_TOKEN_CHARS = 256;

const REFUSED =
  'That token is not accepted here: it is unknown, revoked or expired, or lacks the dashboard scope.';

// POST /dashboard/login: a token in the form body opens a session; the cookie holds only the
// session's random id. 303 to the page on success, the form again with 401 otherwise.
export async function handleLogin(c: Context<DashboardEnv>, deps: LoginDeps): Promise<Response> {
  const form = await c.req.parseBody();
  const raw = typeof form['token'] === 'string' ? form['token'].trim() : '';
  // Security: token guessing. Every sign-in spends from the address's budget of requests
  // without a valid token (the one token-auth uses), and past it nothing is even checked, so
  // guesses stop at the limit whether or not one would have been right.
  const decision = await deps.limiter.hit(
    `unauthenticated:${c.get('address')}`,
    deps.unauthenticatedPerMinute,
  );
  if (!decision.ok) {
    deps.onRefused?.('guessing');
    c.header('retry-after', String(decision.retryAfterSeconds));
    return c.html(renderLoginPage({ message: 'Too many sign-in attempts; retry later.' }), 429);
  }
  let principal: Principal | undefined;
  let info: TokenInfo | undefined;
  try {
    principal =
      raw.length > 0 && raw.length <= MAX_TOKEN_CHARS ? await deps.tokens.verify(raw) : undefined;
    const name = principal?.servers.includes('dashboard') ? principal.tokenName : undefined;
    if (name !== undefined) info = (await deps.tokens.list()).find((t) => t.tokenName === name);
  } catch {
    // Security: fail closed when the token file cannot be read.
    deps.onRefused?.('unavailable');
    return c.html(
      renderLoginPage({ message: 'The hub cannot check tokens right now; see its log.' }),
      503,
    );
  }
  if (!principal || !info) {
    deps.onRefused?.(principal ? 'scope' : raw.length === 0 ? 'missing' : 'invalid');
    return c.html(renderLoginPage({ message: REFUSED }), 401);
  }
  const session = deps.sessions.open({
    tokenName: principal.tokenName,
    tokenStamp: tokenStampOf(info),
    readOnly: principal.readOnly,
  });
  setCookie(c, SESSION_COOKIE, session.id, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.secureCookies,
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
  return c.redirect(COOKIE_PATH, 303);
}

// POST /dashboard/logout (after sessionAuth): ends the session; the form carries the CSRF token.
export async function handleLogout(c: Context<DashboardEnv>, deps: LoginDeps): Promise<Response> {
  const form = await c.req.parseBody();
  const session = c.get('session');
  const sent = typeof form['csrf'] === 'string' ? form['csrf'] : undefined;
  if (!isCsrfValid(session, sent)) return c.json({ error: 'Forbidden: missing CSRF token.' }, 403);
  deps.sessions.close(session.id);
  deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: deps.secureCookies });
  return c.redirect(COOKIE_PATH, 303);
}
