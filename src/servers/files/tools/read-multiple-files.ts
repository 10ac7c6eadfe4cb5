import { LimitExceededError } from '../../../errors/index.js';
import { formatDisplayPath } from '../../../policy/paths/index.js';
import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { describeItemError } from '../lib/item-error.js';
import { readAllBounded } from '../lib/text-lines.js';
import { ReadMultipleFilesInput, ReadMultipleFilesOutput } from '../schemas/read.js';

const MAX_LABEL_CHARS = 300;

interface FileOutcome {
  path: string;
  ok: boolean;
  bytes?: number;
  error?: string;
  text: string;
}

// read_multiple_files: several files in one call, in the official text format; one file failing
// (missing, denied, too big) never fails the batch. The batch as a whole shares maxReadBytes.
export function registerReadMultipleFiles(ctx: FilesContext): void {
  const { maxReadBytes } = ctx.limits;
  registerFilesTool(
    ctx,
    'read_multiple_files',
    {
      title: 'Read Multiple Files',
      description:
        "Read the contents of multiple files at once. Each file's content is returned with its path as a " +
        "reference. Failed reads for individual files won't stop the entire operation. " +
        `All files together may hold at most ${maxReadBytes} bytes. Only works within allowed directories.`,
      inputSchema: ReadMultipleFilesInput,
      outputSchema: ReadMultipleFilesOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      let budget = maxReadBytes;
      const outcomes: FileOutcome[] = [];
      // Sequential on purpose: the shared byte budget is spent in order, so results are deterministic.
      for (const rawPath of args.paths) {
        // The agent's own spelling labels each file; a megabyte-long spelling is shortened.
        const label =
          rawPath.length > MAX_LABEL_CHARS ? `${rawPath.slice(0, MAX_LABEL_CHARS)}...` : rawPath;
        try {
          const file = await ctx.guard.openForRead(rawPath);
          try {
            const tooBig = (): Error =>
              new LimitExceededError(
                `File ${formatDisplayPath(rawPath)} does not fit in the remaining read budget of this batch ` +
                  `(${budget} of ${maxReadBytes} bytes). Read it alone, or with read_text_file head/tail/offset.`,
              );
            if (file.stat.size > budget) throw tooBig();
            const data = await readAllBounded(file.handle, file.stat.size, budget, tooBig);
            budget -= data.length;
            outcomes.push({
              path: label,
              ok: true,
              bytes: data.length,
              text: `${label}:\n${data.toString('utf8')}\n`,
            });
          } finally {
            await file.handle.close();
          }
        } catch (err) {
          const error = describeItemError(err, rawPath, ctx.logger);
          outcomes.push({ path: label, ok: false, error, text: `${label}: Error - ${error}` });
        }
      }
      const failed = outcomes.filter((o) => !o.ok).length;
      return {
        content: [{ type: 'text', text: outcomes.map((o) => o.text).join('\n---\n') }],
        structuredContent: { files: outcomes.map(({ text: _text, ...meta }) => meta) },
        audit: { details: { files: outcomes.length, failed } },
      };
    },
  );
}
