import type { IncomingMessage } from 'node:http';
import type { Principal } from '../../auth/types.js';

// What the middleware chain learns about a request and hands to the MCP endpoint: the client's
// address (always) and, once token-auth has passed, the verified principal.
export interface HttpVariables {
  address: string;
  principal: Principal;
}

// The hono environment every hub middleware and route shares.
export interface HttpEnv {
  // What @hono/node-server passes: the node request, for the peer's address.
  Bindings: { incoming: IncomingMessage };
  Variables: HttpVariables;
}
