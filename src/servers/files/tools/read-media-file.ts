import { pathToFileURL } from 'node:url';
import { LimitExceededError } from '../../../errors/index.js';
import { formatDisplayPath, rethrowFileSystemError } from '../../../policy/paths/index.js';
import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { mediaTypeOf } from '../lib/media-types.js';
import { readAllBounded } from '../lib/text-lines.js';
import { ReadMediaFileInput } from '../schemas/read.js';

// read_media_file: one image/audio (or other binary) file as base64 with its MIME type, capped
// at maxMediaBytes. The data is sent once, as a content block (no structured copy).
export function registerReadMediaFile(ctx: FilesContext): void {
  const { maxMediaBytes } = ctx.limits;
  registerFilesTool(
    ctx,
    'read_media_file',
    {
      title: 'Read Media File',
      description:
        'Read an image or audio file and return it as base64 data with its MIME type; other files come back ' +
        `as an embedded binary resource. At most ${maxMediaBytes} bytes. Only works within allowed directories.`,
      inputSchema: ReadMediaFileInput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const file = await ctx.guard.openForRead(args.path);
      try {
        const tooBig = (): Error =>
          new LimitExceededError(
            `Media file ${formatDisplayPath(args.path)} is larger than the media limit of ${maxMediaBytes} bytes ` +
              `(it has ${file.stat.size}). Expected a smaller file.`,
          );
        if (file.stat.size > maxMediaBytes) throw tooBig();
        const data = (
          await readAllBounded(file.handle, file.stat.size, maxMediaBytes, tooBig)
        ).toString('base64');
        const mimeType = mediaTypeOf(file.path);
        const audit = { details: { bytes: file.stat.size, mimeType } };
        if (mimeType.startsWith('image/'))
          return { content: [{ type: 'image', data, mimeType }], audit };
        if (mimeType.startsWith('audio/'))
          return { content: [{ type: 'audio', data, mimeType }], audit };
        return {
          content: [
            {
              type: 'resource',
              resource: { uri: pathToFileURL(file.path).href, mimeType, blob: data },
            },
          ],
          audit,
        };
      } catch (err) {
        rethrowFileSystemError(err, args.path);
      } finally {
        await file.handle.close();
      }
    },
  );
}
