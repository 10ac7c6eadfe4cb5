import path from 'node:path';

// Segment-based containment of two absolute paths, lexical only (no fs access): `/a/root2` is
// NOT inside `/a/root`. Relative inputs are never inside anything, so a caller's cwd cannot matter.
export function isInside(child: string, parent: string): boolean {
  if (!path.isAbsolute(child) || !path.isAbsolute(parent)) return false;
  const normalChild = path.resolve(child);
  const normalParent = path.resolve(parent);
  if (normalChild === normalParent) return true;
  // Security: compare whole segments so a sibling sharing a prefix (root-evil vs root) is outside.
  const prefix = normalParent.endsWith(path.sep) ? normalParent : normalParent + path.sep;
  return normalChild.startsWith(prefix);
}
