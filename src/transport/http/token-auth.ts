import type { MiddlewareHandler } from 'hono';
import type { RateLimitStore, TokenServer, TokenStore } from '../../auth/types.js';
import type { HttpEnv } from './http-env.js';
import { jsonRpcErrorResponse } from './json-rpc-error.js';

// Why a request was turned away at the door, for metrics and logs.
export type AuthRefusal = 'missing' | 'invalid' | 'scope' | 'guessing' | 'unavailable';

export interface TokenAuthOptions {
  tokens: TokenStore;
  // The scope this route needs: a server name, or 'dashboard' for /metrics and /dashboard.
  scope: TokenServer;
  // Requests without a valid token are counted per client address against this budget.
  limiter: RateLimitStore;
  unauthenticatedPerMinute: number;
  onRefused?: (reason: AuthRefusal) => void;
}

// Reads `Authorization: Bearer <token>`; undefined when the header is absent or another scheme.
export function parseBearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header) : null;
  return match?.[1];
}

const REALM = 'Bearer realm="bastion"';

// Verifies the bearer token and its scope, and puts the principal on the context. 401 with
// `WWW-Authenticate: Bearer` for no token or a bad one, 403 for a token of another scope, 429
// once an address has sent too many requests without a valid token.
export function tokenAuth(options: TokenAuthOptions): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const secret = parseBearer(c.req.header('authorization'));
    let principal;
    try {
      principal = secret === undefined ? undefined : await options.tokens.verify(secret);
    } catch {
      // Security: fail closed. A damaged or foreign-writable token file admits no one; the store
      // has said why, and the client learns only that the hub cannot check tokens now.
      options.onRefused?.('unavailable');
      return jsonRpcErrorResponse(503, 'The hub cannot check tokens right now; see its log.', {
        'retry-after': '5',
      });
    }
    if (!principal) {
      // Security: token guessing. Every request without a valid token spends from its
      // address's budget, so an attacker gets a bounded number of guesses per minute.
      const decision = await options.limiter.hit(
        `unauthenticated:${c.get('address')}`,
        options.unauthenticatedPerMinute,
      );
      if (!decision.ok) {
        options.onRefused?.('guessing');
        return jsonRpcErrorResponse(429, 'Too many requests without a valid token; retry later.', {
          'retry-after': String(decision.retryAfterSeconds),
        });
      }
      options.onRefused?.(secret === undefined ? 'missing' : 'invalid');
      return secret === undefined
        ? jsonRpcErrorResponse(
            401,
            'Unauthorized: send `Authorization: Bearer <token>` (create one with `bastion token create`).',
            {
              'www-authenticate': REALM,
            },
          )
        : jsonRpcErrorResponse(401, 'Unauthorized: the token is unknown, revoked or expired.', {
            'www-authenticate': `${REALM}, error="invalid_token"`,
          });
    }
    // Security: scope. A token made for the files server must not reach the shell.
    if (!principal.servers.includes(options.scope)) {
      options.onRefused?.('scope');
      return jsonRpcErrorResponse(
        403,
        `Forbidden: this token is not allowed to use ${options.scope}.`,
        {
          'www-authenticate': `${REALM}, error="insufficient_scope", scope="${options.scope}"`,
        },
      );
    }
    c.set('principal', principal);
    return next();
  };
}
