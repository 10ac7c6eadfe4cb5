import { FileSystemError, InvalidInputError } from '../../../errors/index.js';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import {
  formatDisplayPath,
  hasBastionTempSegment,
  isInside,
  rethrowFileSystemError,
} from '../../../policy/paths/index.js';
import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { continueHint, INLINE_ENTRY_LIMIT } from '../lib/format.js';
import type { ContentMatch } from '../lib/ripgrep.js';
import { runRipgrepInOrder } from '../lib/ripgrep-in-order.js';
import { verifyHits } from '../lib/verify-hits.js';
import { SearchFileContentsInput, SearchFileContentsOutput } from '../schemas/search.js';

const SEARCH_TIMEOUT_MS = 30_000;
// Verifying hits re-reads their files; at most this many times maxReadBytes per call.
const VERIFY_BUDGET_FACTOR = 8;

// grep-style text: `path:line:text`, context lines as `path-line-text`, groups split by `--`.
function formatMatches(matches: readonly ContentMatch[]): string {
  const groups = matches.map((m) => {
    const before = (m.before ?? []).map(
      (t, i) => `${m.path}-${m.line - (m.before?.length ?? 0) + i}-${t}`,
    );
    const after = (m.after ?? []).map((t, i) => `${m.path}-${m.line + 1 + i}-${t}`);
    return [...before, `${m.path}:${m.line}:${m.text}`, ...after].join('\n');
  });
  return groups.join(
    matches.some((m) => (m.before?.length ?? 0) + (m.after?.length ?? 0) > 0) ? '\n--\n' : '\n',
  );
}

// search_file_contents: regex or literal search in file contents via ripgrep: links never
// followed, binary files skipped, .gitignore ignored, deny patterns excluded in rg AND every hit
// re-checked here, paged at maxSearchResults.
export function registerSearchFileContents(ctx: FilesContext): void {
  const maxResults = ctx.limits.maxSearchResults;
  registerFilesTool(
    ctx,
    'search_file_contents',
    {
      title: 'Search File Contents',
      description:
        'Search the contents of files under a directory for a regular expression (or plain text with literal: ' +
        'true), like grep -rn. Options: ignoreCase, include/exclude globs, contextLines. Binary files and files ' +
        `over ${ctx.limits.maxReadBytes} bytes are skipped; symbolic links are not followed. At most ${maxResults} ` +
        'matching lines per call; use offset to continue. Only searches within allowed directories.',
      inputSchema: SearchFileContentsInput,
      outputSchema: SearchFileContentsOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const resolved = await ctx.guard.resolve(args.path, 'read');
      if (!resolved.exists) {
        throw new InvalidInputError(
          `Expected an existing file or directory to search, got a missing path: ${formatDisplayPath(args.path)}.`,
        );
      }
      // A single file is searched from its directory; anything but files and directories (FIFOs,
      // devices) is refused, since rg would block reading a FIFO named explicitly.
      const stat = await lstat(resolved.path).catch((err: unknown) =>
        rethrowFileSystemError(err, args.path),
      );
      if (!stat.isDirectory() && !stat.isFile()) {
        throw new InvalidInputError(
          `Expected a file or directory to search, got a special file: ${formatDisplayPath(args.path)}.`,
        );
      }
      const searchDir = stat.isDirectory() ? resolved.path : path.dirname(resolved.path);
      const only = stat.isDirectory() ? undefined : path.basename(resolved.path);
      if (ctx.ripgrepPath === undefined) {
        throw new FileSystemError(
          'RIPGREP_MISSING',
          'Content search needs ripgrep (rg), which is not installed on this machine. Ask the operator to install it ' +
            '(apt-get install ripgrep), or use search_files and read_text_file instead.',
        );
      }
      const offset = args.offset ?? 0;
      const limit = Math.min(args.maxResults ?? maxResults, maxResults);
      const hits: ContentMatch[] = [];
      let seen = 0;
      let truncated = false;
      const { timedOut } = await runRipgrepInOrder(
        {
          rgPath: ctx.ripgrepPath,
          dir: searchDir,
          ...(only !== undefined ? { only } : {}),
          pattern: args.pattern,
          literal: args.literal,
          ignoreCase: args.ignoreCase,
          include: args.include,
          exclude: args.exclude,
          deny: ctx.denyPatterns,
          contextLines: args.contextLines,
          maxFileBytes: ctx.limits.maxReadBytes,
          timeoutMs: SEARCH_TIMEOUT_MS,
        },
        (match) => {
          // Security: every hit is re-checked; rg's globs are not the source of truth.
          if (!isInside(match.path, resolved.path) || ctx.guard.isDenied(match.path)) return true;
          // Bastion's temp files and staged copies are never shown, like in every listing.
          if (hasBastionTempSegment(path.relative(resolved.root.path, match.path))) return true;
          seen += 1;
          if (seen <= offset) return true;
          if (hits.length === limit) {
            truncated = true;
            return false;
          }
          hits.push(match);
          return true;
        },
      );
      const checked = await verifyHits(
        ctx.guard,
        hits,
        args.contextLines,
        ctx.limits.maxReadBytes,
        VERIFY_BUDGET_FACTOR * ctx.limits.maxReadBytes,
      );
      const matches = checked.matches;
      truncated ||= checked.budgetExhausted;
      const nextOffset = truncated ? offset + hits.length : undefined;
      const timeoutNote = timedOut
        ? ` The search stopped after ${SEARCH_TIMEOUT_MS / 1000}s; narrow it with a subdirectory or include globs.`
        : '';
      const hint = continueHint(truncated, nextOffset) + timeoutNote;
      const text =
        matches.length === 0
          ? `No matches found${timeoutNote}`
          : matches.length <= INLINE_ENTRY_LIMIT
            ? formatMatches(matches) + (hint ? `\n${hint.trim()}` : '')
            : `Found ${matches.length} matching lines (from offset ${offset}); they are in structuredContent.matches.${hint}`;
      return {
        content: [{ type: 'text', text }],
        structuredContent: {
          matches,
          truncated: truncated || timedOut,
          ...(nextOffset !== undefined ? { nextOffset } : {}),
        },
        audit: {
          details: { matches: matches.length, dropped: checked.dropped, truncated, timedOut },
        },
      };
    },
  );
}
