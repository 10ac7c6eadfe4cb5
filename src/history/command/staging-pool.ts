import {
  createStaging,
  createStagingAsync,
  removeStagingAsync,
  type Staging,
  type StagedRoot,
} from './staging.js';

// How many staging dirs wait ready per set of read-write roots.
const READY_PER_ROOTS = 2;

// Staging dirs made ahead and removed behind, off the command's path: on a busy disk each
// mkdir/rmdir costs milliseconds (measured 3 ms a mkdir, 11 ms a removal while other processes
// fsynced), which a command that changes nothing must not pay. One pool per service.
export interface StagingPool {
  // A fresh staging dir for these roots (made now only when none is ready).
  take(lowers: readonly string[]): Staging;
  // Remove a staging dir that holds nothing any more, in the background.
  release(staging: Staging): void;
}

// `prepare`: make a root's overlay ahead too (the sandbox's launcher; its mount-time work on
// the upper file system then leaves the command's path as well); null: made at launch.
export function createStagingPool(
  historyDir: string,
  prepare: (root: StagedRoot) => number | null = () => null,
): StagingPool {
  const ready = new Map<string, Staging[]>();
  const filling = new Set<string>();
  const refill = (key: string, lowers: readonly string[]): void => {
    if (filling.has(key) || (ready.get(key)?.length ?? 0) >= READY_PER_ROOTS) return;
    filling.add(key);
    void createStagingAsync(historyDir, lowers)
      .then((staging) => {
        for (const root of staging.meta.roots) {
          const id = prepare(root);
          if (id !== null) root.prepared = id;
        }
        const list = ready.get(key) ?? [];
        list.push(staging);
        ready.set(key, list);
      })
      // A failure is not fatal: the next take() makes one itself and says why if it fails.
      .catch(() => undefined)
      .finally(() => {
        filling.delete(key);
        refill(key, lowers);
      });
  };
  return {
    take(lowers) {
      const key = lowers.join('\0');
      const staging = ready.get(key)?.shift() ?? createStaging(historyDir, lowers);
      refill(key, lowers);
      return staging;
    },
    release(staging) {
      void removeStagingAsync(staging);
    },
  };
}
