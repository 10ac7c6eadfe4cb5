import type { MiddlewareHandler } from 'hono';
import type { RateLimitStore } from '../../auth/types.js';
import type { HttpEnv } from './http-env.js';
import { jsonRpcErrorResponse } from './json-rpc-error.js';
import { onResponseSent } from './response-sent.js';

export interface RateLimitOptions {
  limiter: RateLimitStore;
  requestsPerMinute: number;
  maxConcurrent: number;
  onLimited?: (reason: 'rate' | 'concurrency') => void;
}

// Per-token budgets, after token-auth: requests per minute and requests in flight. A GET opens
// the 2025 era's standing notification stream, which carries no call, so it takes no slot.
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const key = `token:${c.get('principal').tokenName}`;
    // Security: flooding. One token cannot take the hub from the others: its requests are
    // counted in its own bucket, never a shared one.
    const decision = await options.limiter.hit(key, options.requestsPerMinute);
    if (!decision.ok) {
      options.onLimited?.('rate');
      return jsonRpcErrorResponse(429, 'Rate limit reached for this token; retry later.', {
        'retry-after': String(decision.retryAfterSeconds),
      });
    }
    if (c.req.method === 'GET') {
      return next();
    }
    const release = await options.limiter.acquire(key, options.maxConcurrent);
    if (!release) {
      options.onLimited?.('concurrency');
      return jsonRpcErrorResponse(
        429,
        `Too many requests in flight for this token (at most ${options.maxConcurrent}).`,
        {
          'retry-after': '1',
        },
      );
    }
    // The slot is held until the node response closes: a streamed answer keeps it.
    onResponseSent(c.env.outgoing, release);
    return next();
  };
}
