import type { ServerResponse } from 'node:http';

// Calls `done` once, when the node response behind a request has been sent in full or its client
// has gone away. A streamed answer (SSE) counts as in flight until it ends. Listening on the node
// response leaves the web Response untouched, so @hono/node-server keeps its buffered fast path
// (wrapping the body in a TransformStream cost about 1 ms per call).
export function onResponseSent(outgoing: ServerResponse, done: () => void): void {
  // 'close' follows 'finish' on a response sent in full, and comes alone when the socket dies
  // first; a response already closed (the client left before the answer) releases at once.
  if (outgoing.closed) {
    done();
    return;
  }
  outgoing.once('close', done);
}
