import { InvalidInputError } from '../../../errors/index.js';
import { formatDisplayPath } from '../../../policy/paths/index.js';
import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { continueHint, INLINE_ENTRY_LIMIT } from '../lib/format.js';
import { compileExcludes, compileSearchGlob } from '../lib/glob.js';
import { walkTree } from '../lib/walk.js';
import { SearchFilesInput, SearchFilesOutput } from '../schemas/search.js';

// search_files: find files and directories by glob under a directory, without following links,
// paged at maxSearchResults in a stable (breadth-first, name-sorted) order.
export function registerSearchFiles(ctx: FilesContext): void {
  const maxResults = ctx.limits.maxSearchResults;
  registerFilesTool(
    ctx,
    'search_files',
    {
      title: 'Search Files',
      description:
        "Recursively search for files and directories matching a glob pattern. A pattern without '/' matches " +
        "names at any depth ('*.ts', 'README*'); with '/', it matches the path relative to the search directory " +
        `('src/**/*.test.ts'). Returns full paths, at most ${maxResults} per call (use offset to continue). ` +
        'Symbolic links are not followed. Only searches within allowed directories.',
      inputSchema: SearchFilesInput,
      outputSchema: SearchFilesOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const resolved = await ctx.guard.resolve(args.path, 'read');
      if (!resolved.exists) {
        throw new InvalidInputError(
          `Expected an existing directory to search, got a missing path: ${formatDisplayPath(args.path)}.`,
        );
      }
      const isMatch = compileSearchGlob(args.pattern);
      const offset = args.offset ?? 0;
      const limit = Math.min(args.maxResults ?? maxResults, maxResults);
      const matches: string[] = [];
      let seen = 0;
      let truncated = false;
      await walkTree(
        resolved.path,
        {
          isDenied: ctx.listHidden,
          displayPath: args.path,
          exclude: compileExcludes(args.excludePatterns),
        },
        (entry) => {
          if (!isMatch(entry.relative)) return 'continue';
          seen += 1;
          if (seen <= offset) return 'continue';
          if (matches.length === limit) {
            truncated = true;
            return 'stop';
          }
          matches.push(entry.path);
          return 'continue';
        },
      );
      const nextOffset = truncated ? offset + matches.length : undefined;
      const hint = continueHint(truncated, nextOffset);
      const text =
        matches.length === 0
          ? 'No matches found'
          : matches.length <= INLINE_ENTRY_LIMIT
            ? matches.join('\n') + (hint ? `\n${hint.trim()}` : '')
            : `Found ${matches.length} matches (from offset ${offset}); the paths are in structuredContent.matches.${hint}`;
      return {
        content: [{ type: 'text', text }],
        structuredContent: {
          matches,
          truncated,
          ...(nextOffset !== undefined ? { nextOffset } : {}),
        },
        audit: { details: { matches: matches.length, truncated } },
      };
    },
  );
}
