// Calls `done` once a response has been sent in full or its client has gone away, and returns
// the response to send in its place. A streamed answer (SSE) counts as in flight until it ends.
export function onResponseSent(res: Response, done: () => void): Response {
  if (!res.body) {
    done();
    return res;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  res.body.pipeTo(writable).then(done, done);
  return new Response(readable, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}
