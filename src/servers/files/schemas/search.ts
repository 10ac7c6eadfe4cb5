import { z } from 'zod';
import { ExcludePatternsArg, OffsetArg, PageShape, PathArg } from './common.js';

// search_files: the official arguments plus paging.
export const SearchFilesInput = {
  path: PathArg,
  pattern: z
    .string()
    .min(1)
    .max(1024)
    .describe(
      "Glob: without '/', matches names at any depth ('*.ts'); with '/', the path relative to `path` ('src/**/*.ts')",
    ),
  excludePatterns: ExcludePatternsArg,
  offset: OffsetArg,
  maxResults: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('At most this many matches (capped by the server limit)'),
};

// Matching paths, one page.
export const SearchFilesOutput = {
  matches: z.array(z.string()),
  ...PageShape,
};

// search_file_contents: a ripgrep-backed content search.
export const SearchFileContentsInput = {
  path: PathArg,
  pattern: z
    .string()
    .min(1)
    .max(4096)
    .describe('Regular expression (Rust regex syntax), or plain text with literal: true'),
  literal: z
    .boolean()
    .optional()
    .default(false)
    .describe('Treat pattern as plain text, not a regex'),
  ignoreCase: z.boolean().optional().default(false).describe('Case-insensitive matching'),
  include: z
    .array(z.string().max(1024))
    .max(100)
    .optional()
    .default([])
    .describe("Only files matching these globs ('*.ts')"),
  exclude: z
    .array(z.string().max(1024))
    .max(100)
    .optional()
    .default([])
    .describe("Skip files matching these globs ('dist/**')"),
  contextLines: z
    .number()
    .int()
    .min(0)
    .max(20)
    .optional()
    .default(0)
    .describe('Lines of context before and after each match'),
  maxResults: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('At most this many matching lines (capped by the server limit)'),
  offset: OffsetArg,
};

// One matching line with its context.
export const ContentMatchSchema = z.object({
  path: z.string(),
  line: z.number().int(),
  text: z.string(),
  before: z.array(z.string()).optional(),
  after: z.array(z.string()).optional(),
});

// Matching lines, one page.
export const SearchFileContentsOutput = {
  matches: z.array(ContentMatchSchema),
  ...PageShape,
};
