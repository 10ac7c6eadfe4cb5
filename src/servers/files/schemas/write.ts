import { z } from 'zod';
import { PathArg } from './common.js';

// write_file: the official arguments plus append.
export const WriteFileInput = {
  path: PathArg,
  content: z.string(),
  append: z
    .boolean()
    .optional()
    .default(false)
    .describe('Append to the end of the file instead of replacing it'),
};

// edit_file: the official arguments.
export const EditFileInput = {
  path: PathArg,
  edits: z
    .array(
      z.object({
        oldText: z.string().describe('Text to search for - must match exactly'),
        newText: z.string().describe('Text to replace with'),
      }),
    )
    .min(1)
    .max(500),
  dryRun: z.boolean().default(false).describe('Preview changes using git-style diff format'),
};

// create_directory: one path.
export const CreateDirectoryInput = { path: PathArg };

// move_file: the official arguments, plus an explicit opt-in to replace an existing file.
export const MoveFileInput = {
  source: PathArg,
  destination: PathArg,
  overwrite: z
    .boolean()
    .optional()
    .default(false)
    .describe('Replace an existing destination file (never a directory)'),
};

// copy_file: source, destination, and explicit opt-ins for directories and overwriting.
export const CopyFileInput = {
  source: PathArg,
  destination: PathArg,
  recursive: z
    .boolean()
    .optional()
    .default(false)
    .describe('Required to copy a directory (and everything in it)'),
  overwrite: z.boolean().optional().default(false).describe('Replace an existing destination file'),
};

// delete_path: one path, directories only with recursive.
export const DeletePathInput = {
  path: PathArg,
  recursive: z
    .boolean()
    .optional()
    .default(false)
    .describe('Required to delete a directory and everything in it'),
};
