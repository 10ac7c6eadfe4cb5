import type { MiddlewareHandler } from 'hono';
import { jsonRpcErrorResponse } from './json-rpc-error.js';

// `scheme://host[:port]` as the URL parser spells it (default ports dropped, lower case), or
// undefined for anything that is not an http(s) origin (including the opaque `null`).
export function normalizeOrigin(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

// The default allow-list: the loopback names with the bound port, on the hub's own scheme.
export function loopbackOrigins(port: number, scheme: 'http' | 'https'): string[] {
  return ['127.0.0.1', 'localhost', '[::1]'].map((host) => `${scheme}://${host}:${port}`);
}

// Refuses browser requests from origins not on the allow-list. Requests without an Origin header
// (every non-browser MCP client) pass: the spec asks servers to validate Origin when present.
export function originCheck(allowed: readonly string[]): MiddlewareHandler {
  const origins = new Set(allowed.map((o) => normalizeOrigin(o) ?? o));
  return async (c, next) => {
    const raw = c.req.header('origin');
    // Security: cross-site requests. A page the user visits must not drive the hub from the
    // browser (DNS rebinding, or a form posting to loopback); its Origin names that page.
    if (raw !== undefined) {
      const origin = normalizeOrigin(raw);
      if (origin === undefined || !origins.has(origin)) {
        return jsonRpcErrorResponse(
          403,
          'Forbidden: this Origin is not allowed (bastion.hub.allowedOrigins).',
        );
      }
    }
    return next();
  };
}
