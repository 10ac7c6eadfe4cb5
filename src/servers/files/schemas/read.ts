import { z } from 'zod';
import { PathArg } from './common.js';

const LineCount = z.number().int().min(0);

// read_text_file: the official arguments plus offset/length line ranges for huge files.
export const ReadTextFileInput = {
  path: PathArg,
  head: LineCount.optional().describe('If provided, returns only the first N lines of the file'),
  tail: LineCount.optional().describe('If provided, returns only the last N lines of the file'),
  offset: LineCount.optional().describe('Line range: 0-based index of the first line to return'),
  length: LineCount.optional().describe(
    'Line range: how many lines to return from offset (default 1000)',
  ),
};

// read_media_file: one path.
export const ReadMediaFileInput = { path: PathArg };

// read_multiple_files: the official arguments.
export const ReadMultipleFilesInput = {
  paths: z
    .array(z.string())
    .min(1)
    .max(100)
    .describe(
      'Array of file paths to read. Each path must be a string pointing to a valid file within allowed directories.',
    ),
};

// Metadata per file of a batch read; the contents travel once, in the text.
export const ReadMultipleFilesOutput = {
  files: z.array(
    z.object({
      path: z.string(),
      ok: z.boolean(),
      bytes: z.number().int().optional(),
      error: z.string().optional(),
    }),
  ),
};

// get_file_info: one path.
export const GetFileInfoInput = { path: PathArg };

// File metadata as structured data.
export const GetFileInfoOutput = {
  path: z.string(),
  type: z.enum(['file', 'directory', 'symlink', 'other']),
  size: z.number(),
  created: z.string(),
  modified: z.string(),
  accessed: z.string(),
  isDirectory: z.boolean(),
  isFile: z.boolean(),
  permissions: z.string(),
};
