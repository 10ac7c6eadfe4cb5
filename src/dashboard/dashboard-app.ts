import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuditSink } from '../audit/index.js';
import type { RateLimitStore, TokenStore } from '../auth/types.js';
import type { Config } from '../config/index.js';
import { registerApiRoutes, type DashboardServerState } from './api-routes.js';
import { createAuditView } from './audit-view.js';
import { createChangesSource } from './changes.js';
import type { DashboardEnv, DashboardRefusal } from './dashboard-env.js';
import { createEventStreams } from './events-route.js';
import type { LiveFeed } from './live-feed.js';
import { handleLogin, handleLogout, type LoginDeps } from './login-routes.js';
import { renderDashboardPage } from './pages.js';
import { securityHeaders } from './security-headers.js';
import { sameOriginPost, sessionAuth } from './session-auth.js';
import { createSessionStore } from './sessions.js';
import { isAssetName, loadDashboardAssets } from './static-assets.js';
import { createAuditVerifier } from './verify-state.js';

// A sign-in form or an undo request is tiny; nothing larger is read.
const MAX_FORM_BYTES = 4096;

export interface DashboardDeps {
  config: Config;
  tokens: TokenStore;
  limiter: RateLimitStore;
  // The hub's audit sink: the Undo button's records go where every call's go.
  audit: AuditSink;
  feed: LiveFeed;
  servers: () => DashboardServerState[];
  isAuditWritable: () => boolean;
  secureCookies: boolean;
  // BASTION_AUDIT_KEY, when set: verification then checks the MACs too.
  auditKey?: string;
  onRefused?: (reason: DashboardRefusal) => void;
}

// The dashboard as the hub mounts it at /dashboard, and what it holds open (event streams).
export interface Dashboard {
  app: Hono<DashboardEnv>;
  close(): void;
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const sessions = createSessionStore();
  const { unauthenticatedPerMinute } = deps.config.hub.rateLimit;
  const loginDeps: LoginDeps = {
    sessions,
    tokens: deps.tokens,
    limiter: deps.limiter,
    unauthenticatedPerMinute,
    secureCookies: deps.secureCookies,
    ...(deps.onRefused ? { onRefused: deps.onRefused } : {}),
  };
  const requireSession = sessionAuth(loginDeps);
  const smallBody = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) =>
      c.json({ error: `Request body too large: at most ${MAX_FORM_BYTES} bytes.` }, 413),
  });
  const assets = loadDashboardAssets();
  const events = createEventStreams({ feed: deps.feed, tokens: deps.tokens, sessions });

  const app = new Hono<DashboardEnv>();
  app.use('*', securityHeaders());

  // The script and style hold no data: served without a session, so the login form is styled.
  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    if (!isAssetName(name)) return c.json({ error: 'not found' }, 404);
    const asset = assets[name];
    return c.body(asset.body, 200, { 'content-type': asset.contentType });
  });

  app.get('/', requireSession, (c) => {
    const session = c.get('session');
    return c.html(renderDashboardPage({ tokenName: session.tokenName, csrf: session.csrf }));
  });
  app.post('/login', smallBody, sameOriginPost(), (c) => handleLogin(c, loginDeps));
  app.post('/logout', smallBody, sameOriginPost(), requireSession, (c) =>
    handleLogout(c, loginDeps),
  );

  const api = new Hono<DashboardEnv>();
  api.use('*', requireSession);
  api.post('*', smallBody, sameOriginPost());
  api.get('/events', (c) => events.handle(c));
  registerApiRoutes(api, {
    view: createAuditView(deps.config.audit.dir),
    verifier: createAuditVerifier({
      dir: deps.config.audit.dir,
      ...(deps.auditKey ? { key: deps.auditKey } : {}),
    }),
    changes: createChangesSource(deps.config, deps.audit),
    servers: deps.servers,
    isAuditWritable: deps.isAuditWritable,
  });
  app.route('/api', api);
  app.notFound((c) => c.json({ error: 'not found' }, 404));

  return { app, close: () => events.closeAll() };
}
