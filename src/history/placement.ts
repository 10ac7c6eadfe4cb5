import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { InvalidConfigError } from '../errors/index.js';
import { isInside } from '../policy/paths/is-inside.js';

// The real path a directory has or will have: its deepest existing ancestor resolved, plus the rest.
function realPathOf(dir: string): string {
  const rest: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      return path.join(realpathSync(current), ...rest.reverse());
    } catch {
      if (path.dirname(current) === current) return path.resolve(dir);
      rest.push(path.basename(current));
    }
  }
}

// Refuse to start when the history store would sit inside a root, or hold one: an agent could
// then read old versions of files, or forge what an undo writes back.
export function validateHistoryPlacement(
  config: Pick<Config, 'history' | 'roots' | 'source'>,
): void {
  if (!config.history.enabled) return;
  const store = realPathOf(config.history.dir);
  const problems: string[] = [];
  for (const root of config.roots) {
    // Security: history outside every root, so no file or shell tool can see or change it.
    if (isInside(store, root.path) || isInside(root.path, store)) {
      problems.push(
        `bastion.history.dir: expected a directory outside every root, got ${store}, which overlaps the root ${root.path}. ` +
          'Set bastion.history.dir (or --home) to a place no root contains, or set bastion.history.enabled to false.',
      );
    }
  }
  if (problems.length > 0) throw new InvalidConfigError(problems, config.source);
}
