import type { MiddlewareHandler } from 'hono';

// The page loads only what the hub itself serves: no inline code, no other origin, no framing.
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const DASHBOARD_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

// Security: XSS, clickjacking, data left in caches. Every dashboard response (pages, API,
// assets, errors) carries the same headers, whichever route produced it.
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(DASHBOARD_HEADERS)) c.res.headers.set(name, value);
  };
}
