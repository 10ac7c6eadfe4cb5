import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Root } from '../../config/index.js';
import { isInside } from './is-inside.js';

// The configured roots narrowed to the client's MCP roots; never wider than `configured`.
// No overlap (or an empty client list) yields an empty list: everything is refused.
export function narrowRoots(
  configured: readonly Root[],
  rawClientRoots: readonly string[],
): Root[] {
  const clientRoots = rawClientRoots.flatMap((raw) => {
    const real = parseClientRoot(raw);
    return real === undefined ? [] : [real];
  });
  const byPath = new Map<string, Root>();
  const add = (root: Root): void => {
    const existing = byPath.get(root.path);
    // Security: two roots at one path keep the stricter mode, so overlap never grants writes.
    if (existing === undefined || (existing.mode === 'read-write' && root.mode === 'read-only')) {
      byPath.set(root.path, root);
    }
  };
  for (const client of clientRoots) {
    // Security: a client root inside a configured root narrows the deepest such root and keeps
    // its mode, so a client can never turn a read-only root writable or reach above a root.
    const holder = deepestContaining(configured, client);
    if (holder !== undefined) add(Object.freeze({ ...holder, path: client }));
    for (const root of configured) {
      if (isInside(root.path, client)) add(root);
    }
  }
  const result = [...byPath.values()];
  return result;
}

// The deepest root whose path contains absPath (segment containment), if any.
export function deepestContaining(roots: readonly Root[], absPath: string): Root | undefined {
  let best: Root | undefined;
  for (const root of roots) {
    if (!isInside(absPath, root.path)) continue;
    const deeper = best === undefined || root.path.length > best.path.length;
    const stricterTie = best !== undefined && root.path === best.path && root.mode === 'read-only';
    if (deeper || stricterTie) best = root;
  }
  return best;
}

// A client root as a real directory path, or undefined when it is unusable (ignored).
function parseClientRoot(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 65536 || raw.includes('\0'))
    return undefined;
  let candidate: string;
  try {
    candidate = /^file:/i.test(raw) ? fileURLToPath(raw) : raw;
  } catch {
    return undefined;
  }
  // Security: relative client roots would depend on the server's cwd; only absolute ones count.
  if (!path.isAbsolute(candidate)) return undefined;
  try {
    const real = realpathSync(candidate);
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}
