import { InvalidInputError, LimitExceededError } from '../../../errors/index.js';
import { formatDisplayPath, rethrowFileSystemError } from '../../../policy/paths/index.js';
import { writtenState } from '../../../history/index.js';
import { OVERWRITING_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { historyDetails, recordChange, type Recorded } from '../lib/change-history.js';
import { applyEdits, formatDiff, usesCrlf } from '../lib/edits.js';
import { readAllBounded } from '../lib/text-lines.js';
import { EditFileInput } from '../schemas/write.js';

interface Snapshot {
  text: string;
  // Identity of the version read, to notice a concurrent change before writing over it.
  version: string;
}

function versionOf(stat: { ino: number; size: number; mtimeMs: number }): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

async function readForEdit(ctx: FilesContext, rawPath: string): Promise<Snapshot> {
  const maxBytes = Math.min(ctx.limits.maxReadBytes, ctx.limits.maxWriteBytes);
  const file = await ctx.guard.openForRead(rawPath);
  try {
    const tooBig = (): Error =>
      new LimitExceededError(
        `File ${formatDisplayPath(rawPath)} is larger than ${maxBytes} bytes, the most edit_file handles. ` +
          'Expected a smaller file; rewrite it with write_file instead.',
      );
    if (file.stat.size > maxBytes) throw tooBig();
    const text = (await readAllBounded(file.handle, file.stat.size, maxBytes, tooBig)).toString(
      'utf8',
    );
    return { text, version: versionOf(file.stat) };
  } catch (err) {
    rethrowFileSystemError(err, rawPath);
  } finally {
    await file.handle.close();
  }
}

// edit_file: exact (or whitespace-flexible, line-based) replacements, each matching exactly
// once; all edits apply or none; the result is written atomically and shown as a unified diff.
export function registerEditFile(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'edit_file',
    {
      title: 'Edit File',
      description:
        'Make line-based edits to a text file. Each edit replaces text that must appear exactly once ' +
        '(exactly, or line by line ignoring indentation). All edits apply or none do. Returns a git-style ' +
        'diff; dryRun: true previews without writing. Only works within allowed directories.',
      inputSchema: EditFileInput,
      annotations: OVERWRITING_ANNOTATIONS,
    },
    async (args, _extra, info) => {
      // Writes are checked before anything is read, so a read-only root refuses even the preview.
      const target = args.dryRun ? undefined : await ctx.guard.resolve(args.path, 'write');
      const snapshot = await readForEdit(ctx, args.path);
      const original = snapshot.text;
      const crlf = usesCrlf(original);
      const before = crlf ? original.replace(/\r\n/g, '\n') : original;
      const after = applyEdits(before, args.edits);
      const diff = await formatDiff(args.path, before, after);
      let recorded: Recorded<unknown> | undefined;
      if (target !== undefined && after !== before) {
        // A change made by someone else since the read would be silently lost; refuse instead.
        const current = await ctx.guard.openForRead(args.path);
        await current.handle.close();
        if (versionOf(current.stat) !== snapshot.version) {
          throw new InvalidInputError(
            `${formatDisplayPath(args.path)} changed while it was being edited; nothing was written. Read it again and retry.`,
          );
        }
        const written = crlf ? after.replace(/\n/g, '\r\n') : after;
        recorded = await recordChange(
          ctx,
          info,
          'edit_file',
          () => [{ path: target.path }],
          () => ctx.guard.writeFileAtomic(args.path, written, { mode: 'overwrite' }),
          () => new Map([[target.path, writtenState(written)]]),
        );
      }
      return {
        content: [{ type: 'text', text: diff }],
        audit: {
          details: {
            edits: args.edits.length,
            dryRun: args.dryRun,
            changed: after !== before,
            ...(recorded ? historyDetails(recorded) : {}),
          },
        },
      };
    },
  );
}
