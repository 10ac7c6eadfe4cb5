import { InvalidInputError, LimitExceededError } from '../../../errors/index.js';
import { formatDisplayPath, rethrowFileSystemError } from '../../../policy/paths/index.js';
import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { readAllBounded, readLineRange, readTail } from '../lib/text-lines.js';
import { ReadTextFileInput } from '../schemas/read.js';

const DEFAULT_RANGE_LENGTH = 1000;

// read_text_file: whole files up to maxReadBytes; head/tail/offset+length read only what they return.
export function registerReadTextFile(ctx: FilesContext): void {
  const { maxReadBytes } = ctx.limits;
  registerFilesTool(
    ctx,
    'read_text_file',
    {
      title: 'Read Text File',
      description:
        'Read the complete contents of a file as text. Use head: N for the first N lines, tail: N for the ' +
        'last N lines, or offset/length for a range of lines (0-based) of a huge file. Files larger than ' +
        `${maxReadBytes} bytes must be read with head, tail or offset/length. Only works within allowed directories.`,
      inputSchema: ReadTextFileInput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const ranged = args.offset !== undefined || args.length !== undefined;
      const modes = [args.head !== undefined, args.tail !== undefined, ranged].filter(
        Boolean,
      ).length;
      if (modes > 1) {
        throw new InvalidInputError(
          'Expected at most one of head, tail, or offset/length; got several. Use one per call.',
        );
      }
      const file = await ctx.guard.openForRead(args.path);
      try {
        if (args.head !== undefined) {
          const range = await readLineRange(file.handle, 0, args.head, maxReadBytes);
          return {
            content: [{ type: 'text', text: range.text }],
            audit: { details: { lines: range.lineCount } },
          };
        }
        if (args.tail !== undefined) {
          const text = await readTail(file.handle, file.stat.size, args.tail, maxReadBytes);
          return { content: [{ type: 'text', text }] };
        }
        if (ranged) {
          const offset = args.offset ?? 0;
          const range = await readLineRange(
            file.handle,
            offset,
            args.length ?? DEFAULT_RANGE_LENGTH,
            maxReadBytes,
          );
          const next = range.startLine + range.lineCount;
          const note = range.hasMore
            ? `[lines ${range.startLine}-${next - 1} (0-based) of ${formatDisplayPath(args.path)}; more lines follow: call again with offset=${next}]`
            : `[lines ${range.startLine}-${next - 1} (0-based) of ${formatDisplayPath(args.path)}; end of file]`;
          return {
            content: [
              { type: 'text', text: range.text },
              {
                type: 'text',
                text:
                  range.lineCount === 0
                    ? `[no lines at offset ${offset}; the file has ${range.startLine} lines]`
                    : note,
              },
            ],
            audit: { details: { lines: range.lineCount } },
          };
        }
        const tooBig = (): Error =>
          new LimitExceededError(
            `File ${formatDisplayPath(args.path)} is larger than the read limit of ${maxReadBytes} bytes (it has ${file.stat.size}). ` +
              'Expected a smaller file; read part of it with head: N, tail: N, or offset/length (lines).',
          );
        if (file.stat.size > maxReadBytes) throw tooBig();
        const data = await readAllBounded(file.handle, file.stat.size, maxReadBytes, tooBig);
        return {
          content: [{ type: 'text', text: data.toString('utf8') }],
          audit: { details: { bytes: data.length } },
        };
      } catch (err) {
        rethrowFileSystemError(err, args.path);
      } finally {
        await file.handle.close();
      }
    },
  );
}
