import type { Readable } from 'node:stream';

// After a process tree is gone, wait for its pipes to close as long as they keep delivering
// output, and at most this long once they fall quiet.
export const STREAM_DRAIN_MS = 2_000;
// However busy the pipes stay (an unsandboxed straggler writing forever), never past this.
const DRAIN_CAP_FACTOR = 10;

function whenClosed(stream: Readable): Promise<void> {
  if (stream.closed || stream.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}

// Resolves once every stream has closed, or after `boundMs` without output. Node may report a
// child's exit before its pipes are read to the end, and a straggler may hold them open
// forever: whoever reports "ended" must wait for this first, or the last output is lost to its
// reader. The bound counts quiet time, not time since the exit: on a starved event loop the
// timer fires before the poll phase has read what is waiting in the pipe, so at expiry one
// more turn of the loop (setImmediate runs after the poll phase) decides.
export async function waitForStreamsClosed(
  streams: readonly Readable[],
  boundMs: number = STREAM_DRAIN_MS,
): Promise<void> {
  let activity = 0;
  const onData = (): void => {
    activity += 1;
  };
  const open = streams.filter((s) => !s.closed && !s.destroyed);
  for (const stream of open) stream.on('data', onData);
  let timer: NodeJS.Timeout | undefined;
  let cap: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const quiet = new Promise<void>((resolve) => {
    const arm = (seen: number): void => {
      timer = setTimeout(() => {
        immediate = setImmediate(() => (activity === seen ? resolve() : arm(activity)));
      }, boundMs);
    };
    arm(activity);
    cap = setTimeout(resolve, boundMs * DRAIN_CAP_FACTOR);
  });
  try {
    await Promise.race([Promise.all(open.map(whenClosed)), quiet]);
  } finally {
    clearTimeout(timer);
    clearTimeout(cap);
    if (immediate !== undefined) clearImmediate(immediate);
    for (const stream of open) stream.off('data', onData);
  }
}
