import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/types.js';

// What the middleware chain learns about a request and hands to the MCP endpoint: the client's
// address (always) and, once token-auth has passed, the verified principal.
export interface HttpVariables {
  address: string;
  principal: Principal;
}

// The hono environment every hub middleware and route shares.
export interface HttpEnv {
  // What @hono/node-server passes: the node request (the peer's address) and response (when it
  // has been sent, for counters held while a request is in flight).
  Bindings: { incoming: IncomingMessage; outgoing: ServerResponse };
  Variables: HttpVariables;
}
