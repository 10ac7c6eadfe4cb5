import { z } from 'zod';
import { EntryKindSchema, ExcludePatternsArg, OffsetArg, PageShape, PathArg } from './common.js';

const LimitArg = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe('At most this many entries (capped by the server limit)');

// list_directory: the official argument plus paging.
export const ListDirectoryInput = { path: PathArg, offset: OffsetArg, limit: LimitArg };

// list_directory_with_sizes: the official arguments plus paging.
export const ListDirectoryWithSizesInput = {
  path: PathArg,
  sortBy: z
    .enum(['name', 'size'])
    .optional()
    .default('name')
    .describe('Sort entries by name or size'),
  offset: OffsetArg,
  limit: LimitArg,
};

// One page of list_directory: the names of the page, grouped by kind (each group in name order),
// rather than one object per entry. A 10,000-entry page of {name, type} objects cost ~6 ms more
// to serialise, validate and parse than these string arrays (docs/BENCHMARKS.md); the kind is all
// an entry has here, and the groups read as plainly as the [FILE]/[DIR] text.
export const ListDirectoryOutput = {
  path: z.string(),
  files: z.array(z.string()).describe('Names of regular files (and sockets, FIFOs, devices)'),
  directories: z.array(z.string()).describe('Names of directories'),
  symlinks: z.array(z.string()).describe('Names of symbolic links (never followed)'),
  total: z.number().int().describe('Entries in the whole directory, all pages'),
  offset: z.number().int(),
  ...PageShape,
};

// One page of list_directory_with_sizes: an object per entry, with its size and mtime.
export const ListDirectoryWithSizesOutput = {
  path: z.string(),
  entries: z.array(
    z.object({
      name: z.string(),
      type: EntryKindSchema,
      size: z.number().optional(),
      modified: z.string().optional(),
    }),
  ),
  total: z.number().int(),
  offset: z.number().int(),
  ...PageShape,
};

// directory_tree: the official arguments plus a depth limit.
export const DirectoryTreeInput = {
  path: PathArg,
  excludePatterns: ExcludePatternsArg,
  maxDepth: z.number().int().min(1).optional().describe('Only descend this many levels'),
};

// One node of the tree; children only on directories.
export interface TreeNode {
  name: string;
  type: z.infer<typeof EntryKindSchema>;
  children?: TreeNode[];
  truncated?: boolean;
}

const TreeNodeSchema: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: EntryKindSchema,
    children: z.array(TreeNodeSchema).optional(),
    truncated: z.boolean().optional(),
  }),
);

// The tree, its size, and whether the entry cap cut it.
export const DirectoryTreeOutput = {
  path: z.string(),
  tree: z.array(TreeNodeSchema),
  entries: z.number().int(),
  truncated: z.boolean(),
};

// list_allowed_directories: the effective roots.
export const ListAllowedDirectoriesOutput = {
  roots: z.array(z.object({ path: z.string(), mode: z.enum(['read-write', 'read-only']) })),
};
