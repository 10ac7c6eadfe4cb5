import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { jsonRpcErrorResponse } from './json-rpc-error.js';

// Bounds what one request may make the hub read and hold: a declared Content-Length over the
// limit is refused before reading, and a chunked body is cut off as soon as it passes it.
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  // Security: memory exhaustion. Without a bound one client could stream gigabytes into a
  // buffer; hono's counter stops reading at the limit and the hub stays up for everyone else.
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: () =>
      jsonRpcErrorResponse(
        413,
        `Request body too large: at most ${maxBytes} bytes (raise bastion.hub.maxBodyBytes for larger writes).`,
      ),
  });
}
