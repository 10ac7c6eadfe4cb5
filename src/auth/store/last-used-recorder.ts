import { lastUsedFilePath } from './token-file-path.js';
import { LastUsedFileSchema, type LastUsedFile } from './token-file-schema.js';
import { parseJsonFile, readTextIfPresent, writePrivateFileAtomic } from './private-file.js';

// At most one write of the side file per this many ms while tokens are in use.
const FLUSH_INTERVAL_MS = 10_000;

// Last use of each token, kept in memory on verify and written to tokens.last-used.json now
// and then, so that verify never writes the token file (nor waits on its lock).
export interface LastUsedRecorder {
  record(id: string, atMs: number): void;
  // The side file merged with what is not flushed yet: id -> ISO time.
  read(): LastUsedFile;
  // Write pending uses now, merged with the file, keeping only `liveIds` when given.
  flush(liveIds: ReadonlySet<string> | undefined): void;
}

function latest(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}

// One recorder per store; its timer is unref'd, so it never keeps a CLI alive.
export function createLastUsedRecorder(
  tokenFile: string,
  liveIds: () => ReadonlySet<string> | undefined,
  onError: (err: unknown) => void,
): LastUsedRecorder {
  const file = lastUsedFilePath(tokenFile);
  const pending = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;

  const readFile = (): LastUsedFile => {
    const text = readTextIfPresent(file);
    return text === undefined
      ? {}
      : parseJsonFile(file, text, LastUsedFileSchema, 'last-use times');
  };

  const merged = (): LastUsedFile => {
    const out: Record<string, string> = { ...readFile() };
    for (const [id, at] of pending) out[id] = latest(out[id], at);
    return out;
  };

  const flush = (ids: ReadonlySet<string> | undefined): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    let current: LastUsedFile;
    try {
      current = merged();
    } catch {
      // A damaged side file only loses last-use times: it is rewritten from what is known.
      current = Object.fromEntries(pending);
    }
    const kept = Object.fromEntries(Object.entries(current).filter(([id]) => !ids || ids.has(id)));
    writePrivateFileAtomic(file, `${JSON.stringify(kept, null, 2)}\n`);
    pending.clear();
  };

  return {
    record(id, atMs) {
      pending.set(id, latest(pending.get(id), new Date(atMs).toISOString()));
      if (timer) return;
      timer = setTimeout(() => {
        try {
          flush(liveIds());
        } catch (err) {
          onError(err);
        }
      }, FLUSH_INTERVAL_MS);
      timer.unref();
    },
    read: merged,
    flush,
  };
}
