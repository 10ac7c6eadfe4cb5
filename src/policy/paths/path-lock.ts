// Per-guard write serialisation keyed by canonical path: two tool calls writing the same file in
// one server run one after the other, so concurrent appends are never lost (last-rename-wins).
// Other processes are not covered: see writeFileAtomic.
export type PathLocks = Map<string, Promise<void>>;

// Run `task` once every earlier task for `key` has settled; the map never grows past live keys.
export async function withPathLock<T>(
  locks: PathLocks,
  key: string,
  task: () => Promise<T>,
): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}
