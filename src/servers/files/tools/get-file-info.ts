import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { hasBastionTempSegment, rethrowFileSystemError } from '../../../policy/paths/index.js';
import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { entryKind } from '../lib/verified-dir.js';
import { GetFileInfoInput, GetFileInfoOutput } from '../schemas/read.js';

// get_file_info: metadata of a file or directory (symlinks inside the roots are followed to
// their target, as in the official server; links leading outside are refused by the guard).
export function registerGetFileInfo(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'get_file_info',
    {
      title: 'Get File Info',
      description:
        'Retrieve detailed metadata about a file or directory: size, creation time, last modified time, ' +
        'permissions, and type. Only works within allowed directories.',
      inputSchema: GetFileInfoInput,
      outputSchema: GetFileInfoOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const resolved = await ctx.guard.resolve(args.path, 'read');
      // A temp file of a write in flight (or a staged copy) is not there yet, as in listings.
      if (hasBastionTempSegment(path.relative(resolved.root.path, resolved.path)))
        rethrowFileSystemError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), args.path);
      let info;
      try {
        const stat = await lstat(resolved.path);
        info = {
          path: resolved.path,
          type: entryKind(stat),
          size: stat.size,
          created: stat.birthtime.toISOString(),
          modified: stat.mtime.toISOString(),
          accessed: stat.atime.toISOString(),
          isDirectory: stat.isDirectory(),
          isFile: stat.isFile(),
          permissions: (stat.mode & 0o777).toString(8).padStart(3, '0'),
        };
      } catch (err) {
        rethrowFileSystemError(err, args.path);
      }
      // The official server's text: one `key: value` line per fact.
      const shown = [
        'size',
        'created',
        'modified',
        'accessed',
        'isDirectory',
        'isFile',
        'permissions',
      ] as const;
      const text = shown.map((key) => `${key}: ${String(info[key])}`).join('\n');
      return { content: [{ type: 'text', text }], structuredContent: info };
    },
  );
}
