import { writtenState } from '../../../history/index.js';
import { OVERWRITING_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { historyDetails, recordChange } from '../lib/change-history.js';
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
    async (args, _extra, info) => {
      let target = '';
      const recorded = await recordChange(
        ctx,
        info,
        'write_file',
        async () => {
          const resolved = await ctx.guard.resolve(args.path, 'write');
          target = resolved.path;
          // A new file costs history nothing but one journal entry: it was absent before.
          return [
            resolved.exists ? { path: target } : { path: target, before: { kind: 'absent' } },
          ];
        },
        () =>
          ctx.guard.writeFileAtomic(args.path, args.content, {
            mode: args.append ? 'append' : 'overwrite',
          }),
        // An append's result is read back; an overwrite is exactly what was sent.
        () => (args.append ? new Map() : new Map([[target, writtenState(args.content)]])),
      );
      const result = recorded.result;
      const text = args.append
        ? `Successfully appended to ${args.path}`
        : `Successfully wrote to ${args.path}`;
      return {
        content: [{ type: 'text', text }],
        audit: {
          details: {
            bytes: result.bytesWritten,
            created: result.created,
            append: args.append,
            ...historyDetails(recorded),
          },
        },
      };
    },
  );
}
