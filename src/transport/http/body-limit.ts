import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { jsonRpcErrorResponse } from './json-rpc-error.js';

// Bounds what one request may make the hub read and hold: a declared Content-Length over the
// limit is refused before reading, and a chunked body is cut off as soon as it passes it.
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = (): Response =>
    jsonRpcErrorResponse(
      413,
      `Request body too large: at most ${maxBytes} bytes (raise bastion.hub.maxBodyBytes for larger writes).`,
    );
  // Security: memory exhaustion. Without a bound one client could stream gigabytes into a
  // buffer; hono's counter stops reading at the limit and the hub stays up for everyone else.
  const counted = honoBodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const headers = c.req.raw.headers;
    // A body framed by Content-Length alone cannot outgrow it (node's parser stops at the
    // declared length), so the header decides and the body stays unread: hono's counter would
    // turn @hono/node-server's light request into a full web Request and stream it (about 6 % of
    // the hub's time per call). No Transfer-Encoding and no Content-Length is no body at all;
    // node has already refused a malformed Content-Length with 400.
    if (!headers.has('transfer-encoding')) {
      const declared = headers.get('content-length');
      return declared !== null && Number(declared) > maxBytes ? tooLarge() : next();
    }
    return counted(c, next);
  };
}
