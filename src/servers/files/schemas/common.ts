import { z } from 'zod';

// A path argument: absolute inside a root, or relative to the first root.
export const PathArg = z
  .string()
  .describe(
    'Absolute path inside an allowed directory, or a path relative to the first allowed directory',
  );

// Paging: how many results to skip, from the nextOffset of a truncated answer.
export const OffsetArg = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe('Skip this many results (use nextOffset from a truncated answer to continue)');

// Glob exclusions shared by directory_tree and search_files.
export const ExcludePatternsArg = z
  .array(z.string().max(1024))
  .max(200)
  .optional()
  .default([])
  .describe("Glob patterns to leave out (a bare name like 'node_modules' is excluded anywhere)");

// The kinds an entry can have; symlinks are reported as links and never followed.
export const EntryKindSchema = z.enum(['file', 'directory', 'symlink', 'other']);

// Paging facts every bounded answer carries.
export const PageShape = {
  truncated: z.boolean().describe('True when more results exist than were returned'),
  nextOffset: z.number().int().optional().describe('Pass as offset to get the next page'),
};
