import { linkSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { FileSystemError, InvalidInputError, PathDeniedError } from '../../../errors/index.js';
import {
  formatDisplayPath,
  isInside,
  rethrowFileSystemError,
} from '../../../policy/paths/index.js';
import { OVERWRITING_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { historyDetails, recordChange, type Recorded } from '../lib/change-history.js';
import { resolveEntry } from '../lib/entry-path.js';
import { viaFd, withVerifiedDir } from '../lib/verified-dir.js';
import { findDeniedEntry } from '../lib/walk.js';
import { MoveFileInput } from '../schemas/write.js';

function alreadyExists(rawPath: string): FileSystemError {
  return new FileSystemError(
    'EEXIST',
    `Destination already exists: ${formatDisplayPath(rawPath)}. Expected a new name; delete or rename the existing one first.`,
  );
}

function crossDevice(): FileSystemError {
  return new FileSystemError(
    'EXDEV',
    'Cannot move across file systems: the source and destination are on different devices. ' +
      'Copy it with copy_file, then remove the source with delete_path.',
  );
}

// Rename without ever replacing the destination. For non-directories link()+unlink() makes
// "fail if it exists" atomic (link never follows and never overwrites); directories use rename,
// which cannot replace a non-empty directory.
function moveNoReplace(from: string, to: string, isDirectory: boolean, destination: string): void {
  if (!isDirectory) {
    try {
      linkSync(from, to);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw alreadyExists(destination);
      if (code === 'EXDEV') throw crossDevice();
      // File systems without hard links: fall back to check-then-rename.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK')
        throw err;
      if (existsNoFollow(to)) throw alreadyExists(destination);
      renameSync(from, to);
      return;
    }
    try {
      unlinkSync(from);
    } catch (err) {
      unlinkSync(to);
      throw err;
    }
    return;
  }
  if (existsNoFollow(to)) throw alreadyExists(destination);
  try {
    renameSync(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EXDEV') throw crossDevice();
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw alreadyExists(destination);
    throw err;
  }
}

// Rename a non-directory over an existing file or link (rename(2) replaces it atomically); a
// directory at the destination is never replaced.
function moveReplacing(from: string, to: string, isDirectory: boolean, destination: string): void {
  const existing = existsNoFollow(to) ? lstatSync(to) : undefined;
  if (existing === undefined) return moveNoReplace(from, to, isDirectory, destination);
  if (isDirectory || existing.isDirectory())
    throw new FileSystemError(
      'EEXIST',
      `Destination already exists: ${formatDisplayPath(destination)}. overwrite replaces files only, never a directory or with one.`,
    );
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EXDEV') throw crossDevice();
    throw err;
  }
}

function existsNoFollow(target: string): boolean {
  try {
    lstatSync(target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

// move_file: rename a file, directory or link (the link itself, never its target); both ends must
// be writable, an existing destination is never replaced, and nothing leaves the roots.
export function registerMoveFile(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'move_file',
    {
      title: 'Move File',
      description:
        'Move or rename files and directories. If the destination exists, the operation will fail unless ' +
        'overwrite: true (files only). A symbolic link is moved as a link. Both source and destination must be ' +
        'within allowed, writable directories.',
      inputSchema: MoveFileInput,
      annotations: OVERWRITING_ANNOTATIONS,
    },
    async (args, _extra, info) => {
      const { maxPathLength } = ctx.limits;
      const source = await resolveEntry(ctx.guard, args.source, 'write', maxPathLength);
      const destination = await resolveEntry(ctx.guard, args.destination, 'write', maxPathLength);
      let recorded: Recorded<void> | undefined;
      try {
        const stat = withVerifiedDir(source.parent, (fd) => lstatSync(viaFd(fd, source.name)));
        if (stat.isDirectory()) {
          if (isInside(destination.path, source.path)) {
            throw new InvalidInputError(
              `Cannot move ${formatDisplayPath(args.source)} into itself (${formatDisplayPath(args.destination)}).`,
            );
          }
          // Security: moving a directory moves the secrets in it; refuse rather than relocate them.
          const landsAt = (p: string): string =>
            path.join(destination.path, path.relative(source.path, p));
          const denied = await findDeniedEntry(
            source.path,
            (p, name) => ctx.walkDenied(p, name) || ctx.walkDenied(landsAt(p), name),
            args.source,
          );
          if (denied !== undefined) {
            throw new PathDeniedError(
              `Refusing to move ${formatDisplayPath(args.source)}: it contains an entry the deny rules protect. Move the other entries one by one.`,
            );
          }
        }
        recorded = await recordChange(
          ctx,
          info,
          'move_file',
          // The entry itself is not copied: an undo moves it back. Only a replaced file is kept.
          () => [
            args.overwrite
              ? { path: destination.path }
              : { path: destination.path, before: { kind: 'absent' } },
            { path: source.path, before: { kind: 'moved', to: destination.path } },
          ],
          () =>
            Promise.resolve(
              withVerifiedDir(source.parent, (fromFd) =>
                withVerifiedDir(destination.parent, (toFd) =>
                  (args.overwrite ? moveReplacing : moveNoReplace)(
                    viaFd(fromFd, source.name),
                    viaFd(toFd, destination.name),
                    stat.isDirectory(),
                    args.destination,
                  ),
                ),
              ),
            ),
          () => new Map([[source.path, { kind: 'absent' }]]),
        );
      } catch (err) {
        rethrowFileSystemError(err, args.source);
      }
      return {
        content: [
          { type: 'text', text: `Successfully moved ${args.source} to ${args.destination}` },
        ],
        audit: {
          details: {
            from: source.path,
            to: destination.path,
            ...(recorded ? historyDetails(recorded) : {}),
          },
        },
      };
    },
  );
}
