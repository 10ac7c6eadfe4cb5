import type { MiddlewareHandler } from 'hono';
import { jsonRpcErrorResponse } from './json-rpc-error.js';

// Lower-cased, trailing dot removed: `LocalHost.:8765` and `localhost:8765` are one host.
function normalizeHost(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/\.(?=(:\d+)?$)/, '');
}

// Splits `host:port`, `[v6]:port` or a bare host; the port is undefined when absent.
function splitHostPort(host: string): { name: string; port?: string } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!match?.[1]) return { name: host };
  return match[2] === undefined ? { name: match[1] } : { name: match[1], port: match[2] };
}

// Whether a Host header is on the allow-list. An entry with a port matches only that port; an
// entry without one matches the name on any port (a TLS proxy in front sends `example.com`).
export function isAllowedHost(rawHost: string | undefined, allowed: readonly string[]): boolean {
  if (!rawHost) return false;
  const host = splitHostPort(normalizeHost(rawHost));
  return allowed.some((entry) => {
    const want = splitHostPort(normalizeHost(entry));
    return want.name === host.name && (want.port === undefined || want.port === host.port);
  });
}

// The default allow-list: the loopback names with the port the hub is bound to.
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

// Refuses requests whose Host header is not on the allow-list, before anything else runs.
export function hostCheck(allowed: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    // Security: DNS rebinding. A web page on evil.example whose name is re-pointed at 127.0.0.1
    // reaches the hub from the user's browser, but its requests say `Host: evil.example`.
    if (!isAllowedHost(c.req.header('host'), allowed)) {
      return jsonRpcErrorResponse(
        403,
        'Forbidden: this Host is not allowed (bastion.hub.allowedHosts).',
      );
    }
    return next();
  };
}
