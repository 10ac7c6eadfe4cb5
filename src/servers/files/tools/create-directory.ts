import { closeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError, PathDeniedError } from '../../../errors/index.js';
import { formatDisplayPath, rethrowFileSystemError } from '../../../policy/paths/index.js';
import { registerFilesTool, type FilesContext } from '../context.js';
import { openChildDirFd, openVerifiedDirFd, viaFd } from '../lib/verified-dir.js';
import { CreateDirectoryInput } from '../schemas/write.js';

// mkdir -p inside `rootPath`, one component at a time through the parent's descriptor
// (openat-like): every created component lands inside the root even if a path is swapped meanwhile.
export function makeDirectories(
  ctx: FilesContext,
  rootPath: string,
  target: string,
  rawPath: string,
): number {
  const parts = path.relative(rootPath, target).split(path.sep).filter(Boolean);
  let fd = openVerifiedDirFd(rootPath);
  let current = rootPath;
  let created = 0;
  try {
    for (const part of parts) {
      current = path.join(current, part);
      // Security: deny rules apply to every component created, not only the last one.
      if (ctx.guard.isDenied(current)) {
        throw new PathDeniedError(
          `Creating ${formatDisplayPath(rawPath)} is denied by the deny rules. Choose another name.`,
        );
      }
      let next: number;
      try {
        next = openChildDirFd(fd, part);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ELOOP' || code === 'ENOTDIR') {
          throw new InvalidInputError(
            `Cannot create ${formatDisplayPath(rawPath)}: a file or symbolic link is in the way at ${formatDisplayPath(path.relative(rootPath, current))}.`,
          );
        }
        if (code !== 'ENOENT') throw err;
        mkdirSync(viaFd(fd, part), 0o777);
        created += 1;
        next = openChildDirFd(fd, part);
      }
      closeSync(fd);
      fd = next;
    }
    return created;
  } finally {
    closeSync(fd);
  }
}

// create_directory: mkdir -p; succeeds silently when the directory already exists.
export function registerCreateDirectory(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'create_directory',
    {
      title: 'Create Directory',
      description:
        'Create a new directory or ensure a directory exists. Can create multiple nested directories in one ' +
        'operation. If the directory already exists, this operation will succeed silently. Only works within allowed directories.',
      inputSchema: CreateDirectoryInput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args) => {
      const resolved = await ctx.guard.resolve(args.path, 'write');
      let created: number;
      try {
        created = makeDirectories(ctx, resolved.root.path, resolved.path, args.path);
      } catch (err) {
        rethrowFileSystemError(err, args.path);
      }
      return {
        content: [{ type: 'text', text: `Successfully created directory ${args.path}` }],
        audit: { details: { created } },
      };
    },
  );
}
