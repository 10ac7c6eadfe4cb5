import type { Readable } from 'node:stream';

// After a process tree is gone, wait at most this long for its pipes to close.
export const STREAM_DRAIN_MS = 2_000;

function whenClosed(stream: Readable): Promise<void> {
  if (stream.closed || stream.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}

// Resolves once every stream has closed, or after `boundMs`. Node may report a child's exit
// before its pipes are read to the end, and a straggler may hold them open forever: whoever
// reports "ended" must wait for this first, or the last output is lost to its reader.
export async function waitForStreamsClosed(
  streams: readonly Readable[],
  boundMs: number = STREAM_DRAIN_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(streams.map(whenClosed)),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
    }),
  ]);
  clearTimeout(timer);
}
