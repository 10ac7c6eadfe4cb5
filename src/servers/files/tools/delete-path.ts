import { closeSync, lstatSync, unlinkSync } from 'node:fs';
import { InvalidInputError, PathDeniedError } from '../../../errors/index.js';
import { formatDisplayPath, rethrowFileSystemError } from '../../../policy/paths/index.js';
import { registerFilesTool, type FilesContext } from '../context.js';
import { historyDetails, recordChange, type Recorded } from '../lib/change-history.js';
import { resolveEntry } from '../lib/entry-path.js';
import { removeTree } from '../lib/remove-tree.js';
import { openVerifiedDirFd, viaFd, withVerifiedDir } from '../lib/verified-dir.js';
import { findDeniedEntry } from '../lib/walk.js';
import { DeletePathInput } from '../schemas/write.js';

// delete_path: delete a file or link (the link itself, never its target), or a directory tree
// with recursive: true. Never a root, never a tree holding a denied entry or a nested root.
export function registerDeletePath(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'delete_path',
    {
      title: 'Delete Path',
      description:
        'Delete a file, symbolic link (the link itself, not its target) or, with recursive: true, a directory ' +
        'and everything in it. An allowed root itself can never be deleted. Only works within allowed, writable directories.',
      inputSchema: DeletePathInput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args, _extra, info) => {
      const entry = await resolveEntry(ctx.guard, args.path, 'write', ctx.limits.maxPathLength);
      let kind: 'file' | 'directory';
      try {
        const stat = withVerifiedDir(entry.parent, (fd) => lstatSync(viaFd(fd, entry.name)));
        kind = stat.isDirectory() ? 'directory' : 'file';
        if (kind === 'directory') {
          if (!args.recursive) {
            throw new InvalidInputError(
              `${formatDisplayPath(args.path)} is a directory; expected recursive: true to delete it and everything in it.`,
            );
          }
          // Security: never delete a secret as a side effect of deleting its directory.
          const denied = await findDeniedEntry(entry.path, ctx.walkDenied, args.path);
          if (denied !== undefined) {
            throw new PathDeniedError(
              `Refusing to delete ${formatDisplayPath(args.path)}: it contains an entry the deny rules protect. Delete the other entries one by one.`,
            );
          }
        }
      } catch (err) {
        rethrowFileSystemError(err, args.path);
      }
      let recorded: Recorded<void>;
      try {
        // The whole file or tree is kept first: a delete is the change most worth taking back.
        recorded = await recordChange(
          ctx,
          info,
          'delete_path',
          () => [{ path: entry.path }],
          async () => {
            if (kind === 'file') {
              withVerifiedDir(entry.parent, (fd) => unlinkSync(viaFd(fd, entry.name)));
              return;
            }
            const parentFd = openVerifiedDirFd(entry.parent);
            try {
              await removeTree(parentFd, Buffer.from(entry.name), { ops: 0 });
            } finally {
              closeSync(parentFd);
            }
          },
          () => new Map([[entry.path, { kind: 'absent' }]]),
        );
      } catch (err) {
        rethrowFileSystemError(err, args.path);
      }
      return {
        content: [{ type: 'text', text: `Successfully deleted ${args.path}` }],
        audit: { details: { kind, path: entry.path, ...historyDetails(recorded) } },
      };
    },
  );
}
