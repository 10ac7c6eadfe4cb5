import { OVERWRITING_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { WriteFileInput } from '../schemas/write.js';

// write_file: create or replace (or append to) a file atomically: readers and crashes see the
// old or the new content, never a torn file. Symlinks leading outside are refused by the guard.
export function registerWriteFile(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'write_file',
    {
      title: 'Write File',
      description:
        'Create a new file or completely overwrite an existing file with new content (or add to its end with ' +
        'append: true). Use with caution as it will overwrite existing files without warning. The write is ' +
        `atomic. At most ${ctx.limits.maxWriteBytes} bytes. Only works within allowed directories.`,
      inputSchema: WriteFileInput,
      annotations: OVERWRITING_ANNOTATIONS,
    },
    async (args) => {
      const result = await ctx.guard.writeFileAtomic(args.path, args.content, {
        mode: args.append ? 'append' : 'overwrite',
      });
      const text = args.append
        ? `Successfully appended to ${args.path}`
        : `Successfully wrote to ${args.path}`;
      return {
        content: [{ type: 'text', text }],
        audit: {
          details: { bytes: result.bytesWritten, created: result.created, append: args.append },
        },
      };
    },
  );
}
