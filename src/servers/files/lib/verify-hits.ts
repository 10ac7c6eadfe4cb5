import type { PathGuard } from '../../../policy/paths/index.js';
import { LimitExceededError } from '../../../errors/index.js';
import { MAX_COLUMNS, type ContentMatch } from './ripgrep.js';
import { readAllBounded } from './text-lines.js';

const PREVIEW_SUFFIX = ' [... omitted end of long line]';

function clip(line: string): string {
  return line.length > MAX_COLUMNS ? `${line.slice(0, MAX_COLUMNS)}${PREVIEW_SUFFIX}` : line;
}

// rg's line (maybe a preview of a long line) is the verified file's line.
function sameLine(rgText: string, ours: string): boolean {
  if (rgText === ours) return true;
  return (
    rgText.endsWith(PREVIEW_SUFFIX) && ours.startsWith(rgText.slice(0, -PREVIEW_SUFFIX.length))
  );
}

// The outcome of verification: the hits kept, and whether the byte budget cut it short.
export interface VerifiedHits {
  matches: ContentMatch[];
  dropped: number;
  budgetExhausted: boolean;
}

// Security: rg walks by path, so a directory swapped for a symlink mid-search could make it read
// a file outside the roots. Every file with hits is therefore re-read through the guard
// (O_NOFOLLOW, descriptor verified inside the roots, not denied); a hit is kept only if that
// verified file has the same line there, and all text returned comes from the verified read.
export async function verifyHits(
  guard: PathGuard,
  hits: readonly ContentMatch[],
  contextLines: number,
  maxReadBytes: number,
  budgetBytes: number,
): Promise<VerifiedHits> {
  const matches: ContentMatch[] = [];
  let dropped = 0;
  let spent = 0;
  let currentPath: string | undefined;
  let lines: string[] | undefined;
  for (const hit of hits) {
    if (hit.path !== currentPath) {
      currentPath = hit.path;
      lines = undefined;
      try {
        const file = await guard.openForRead(hit.path);
        try {
          if (spent + file.stat.size > budgetBytes)
            return { matches, dropped, budgetExhausted: true };
          const data = await readAllBounded(
            file.handle,
            file.stat.size,
            maxReadBytes,
            () => new LimitExceededError('too big'),
          );
          spent += data.length;
          lines = data
            .toString('utf8')
            .split('\n')
            .map((l) => l.replace(/\r$/, ''));
        } finally {
          await file.handle.close();
        }
      } catch {
        lines = undefined;
      }
    }
    const ours = lines?.[hit.line - 1];
    if (lines === undefined || ours === undefined || !sameLine(hit.text, ours)) {
      dropped += 1;
      continue;
    }
    const verified: ContentMatch = { path: hit.path, line: hit.line, text: clip(ours) };
    if (contextLines > 0) {
      verified.before = lines
        .slice(Math.max(0, hit.line - 1 - contextLines), hit.line - 1)
        .map(clip);
      verified.after = lines.slice(hit.line, hit.line + contextLines).map(clip);
    }
    matches.push(verified);
  }
  return { matches, dropped, budgetExhausted: false };
}
