import { closeSync, fsyncSync, lstatSync, mkdirSync, renameSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { FileSystemError, InvalidInputError, LimitExceededError } from '../../../errors/index.js';
import {
  bastionTempName,
  formatDisplayPath,
  isInside,
  rethrowFileSystemError,
  type ResolvedPath,
} from '../../../policy/paths/index.js';
import { writtenState } from '../../../history/index.js';
import { OVERWRITING_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { historyDetails, recordChange } from '../lib/change-history.js';
import { readAllBounded } from '../lib/text-lines.js';
import { removeTree } from '../lib/remove-tree.js';
import { sweepStaleTemps, type SweepLimits } from '../lib/sweep-temps.js';
import { openVerifiedDirFd, viaFd, withVerifiedDir } from '../lib/verified-dir.js';
import { walkTree } from '../lib/walk.js';
import { CopyFileInput } from '../schemas/write.js';
import { makeDirectories } from './create-directory.js';

// One folder's own entries, kept short: a tree copy is not slowed down by a huge parent.
const FOLDER_SWEEP_LIMITS: SweepLimits = Object.freeze({
  maxEntries: 10_000,
  maxMs: 500,
  maxDepth: 1,
});

// Read one source file through the guard (O_NOFOLLOW, verified) within the byte budget.
async function readSource(ctx: FilesContext, rawPath: string, budget: number): Promise<Buffer> {
  const file = await ctx.guard.openForRead(rawPath);
  try {
    const tooBig = (): Error =>
      new LimitExceededError(
        `Copying ${formatDisplayPath(rawPath)} would exceed the write limit of ${ctx.limits.maxWriteBytes} bytes.`,
      );
    if (file.stat.size > budget) throw tooBig();
    return await readAllBounded(file.handle, file.stat.size, budget, tooBig);
  } finally {
    await file.handle.close();
  }
}

interface CopyPlan {
  dirs: string[];
  files: string[];
  skipped: number;
}

// Everything under a source directory: real files and directories only; links, special files,
// denied entries and Bastion temps are skipped (and counted), within the entry and byte limits.
async function planDirectoryCopy(
  ctx: FilesContext,
  source: string,
  rawSource: string,
): Promise<CopyPlan> {
  const plan: CopyPlan = { dirs: [], files: [], skipped: 0 };
  let bytes = 0;
  let entries = 0;
  let denied = 0;
  const countDenied = (absPath: string, name: string): boolean => {
    const isDenied = ctx.listHidden(absPath, name);
    if (isDenied) denied += 1;
    return isDenied;
  };
  await walkTree(source, { isDenied: countDenied, displayPath: rawSource }, (entry) => {
    entries += 1;
    if (entries > ctx.limits.maxTreeEntries) {
      throw new LimitExceededError(
        `Expected a directory with at most ${ctx.limits.maxTreeEntries} entries to copy, got more.`,
      );
    }
    if (entry.kind === 'directory') plan.dirs.push(entry.relative);
    else if (entry.kind === 'file') plan.files.push(entry.relative);
    else plan.skipped += 1;
    return 'continue';
  });
  plan.skipped += denied;
  for (const relative of plan.files) {
    const file = path.join(source, relative);
    // Security: size each file through its verified parent directory (never a path a swapped-in
    // link could redirect), so a race cannot make the limit check measure a file outside.
    try {
      bytes += withVerifiedDir(path.dirname(file), (fd) =>
        lstatSync(viaFd(fd, path.basename(file))),
      ).size;
    } catch (err) {
      rethrowFileSystemError(err, rawSource);
    }
  }
  if (bytes > ctx.limits.maxWriteBytes) {
    throw new LimitExceededError(
      `Expected at most ${ctx.limits.maxWriteBytes} bytes to copy, got ${bytes}. Copy smaller parts.`,
    );
  }
  return plan;
}

function alreadyExists(rawPath: string): FileSystemError {
  return new FileSystemError(
    'EEXIST',
    `Destination already exists: ${formatDisplayPath(rawPath)}. Expected a new directory name.`,
  );
}

// Copy a planned tree into a staging directory with a Bastion temp name beside the destination,
// then rename it into place: a crash leaves the destination absent (the staged copy is hidden
// from listings and swept later), never a partial tree a retry would refuse.
async function copyTreeStaged(
  ctx: FilesContext,
  source: string,
  destination: ResolvedPath,
  plan: CopyPlan,
  rawDestination: string,
): Promise<void> {
  const parent = path.dirname(destination.path);
  const name = path.basename(destination.path);
  const stagingName = bastionTempName(name);
  const staging = path.join(parent, stagingName);
  let staged = false;
  try {
    makeDirectories(ctx, destination.root.path, parent, rawDestination);
    // Security: created through the verified parent descriptor, never through a swapped path.
    withVerifiedDir(parent, (fd) => mkdirSync(viaFd(fd, stagingName), 0o777));
    staged = true;
    for (const relative of plan.dirs) {
      makeDirectories(ctx, destination.root.path, path.join(staging, relative), rawDestination);
    }
    for (const relative of plan.files) {
      const data = await readSource(ctx, path.join(source, relative), ctx.limits.maxWriteBytes);
      await ctx.guard.writeFileAtomic(path.join(staging, relative), data, {
        mode: 'create',
        staged: true,
      });
    }
    withVerifiedDir(parent, (fd) => {
      // rename(2) would replace an empty directory: refuse anything already at the name.
      if (existsNoFollow(viaFd(fd, name))) throw alreadyExists(rawDestination);
      renameSync(viaFd(fd, stagingName), viaFd(fd, name));
      staged = false;
      // Durability: the new name reaches the disk with the tree it points at.
      fsyncSync(fd);
    });
  } catch (err) {
    if (staged) await discardStaging(parent, stagingName);
    rethrowFileSystemError(err, rawDestination);
  }
  // The folder was just written: remove copies a crashed server staged there (files are swept by
  // the atomic writer; staged directories only here and at start).
  await sweepStaleTemps(ctx.guard, ctx.walkDenied, FOLDER_SWEEP_LIMITS, [parent]).catch(
    () => undefined,
  );
}

// Best effort: a staging directory left by a failure is swept later anyway.
async function discardStaging(parent: string, stagingName: string): Promise<void> {
  try {
    const fd = openVerifiedDirFd(parent);
    try {
      await removeTree(fd, Buffer.from(stagingName), { ops: 0 });
    } finally {
      closeSync(fd);
    }
  } catch {
    // Left for the sweep.
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

// copy_file: copy a file (atomically at the destination), or a directory tree with recursive:
// true (staged under a temp name and renamed into place, so it too is whole or absent). An existing destination is only replaced with overwrite: true (files only).
export function registerCopyFile(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'copy_file',
    {
      title: 'Copy File',
      description:
        'Copy a file to a new path (atomically: the destination is complete or absent). Set overwrite: true to ' +
        'replace an existing file. Directories are copied only with recursive: true (symbolic links and protected ' +
        `files inside are skipped). At most ${ctx.limits.maxWriteBytes} bytes. Both paths must be within allowed directories.`,
      inputSchema: CopyFileInput,
      annotations: OVERWRITING_ANNOTATIONS,
    },
    async (args, _extra, info) => {
      const source = await ctx.guard.resolve(args.source, 'read');
      if (!source.exists)
        rethrowFileSystemError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), args.source);
      const sourceStat = await lstat(source.path).catch((err: unknown) =>
        rethrowFileSystemError(err, args.source),
      );
      if (!sourceStat.isDirectory()) {
        const data = await readSource(ctx, args.source, ctx.limits.maxWriteBytes);
        let target = '';
        const recorded = await recordChange(
          ctx,
          info,
          'copy_file',
          async () => {
            const resolved = await ctx.guard.resolve(args.destination, 'write');
            target = resolved.path;
            // Only a file that overwrite replaces is kept; a new destination was absent.
            return [
              resolved.exists && args.overwrite
                ? { path: target }
                : { path: target, before: { kind: 'absent' } },
            ];
          },
          () =>
            ctx.guard.writeFileAtomic(args.destination, data, {
              mode: args.overwrite ? 'overwrite' : 'create',
            }),
          () => new Map([[target, writtenState(data)]]),
        );
        return {
          content: [
            { type: 'text', text: `Successfully copied ${args.source} to ${args.destination}` },
          ],
          audit: { details: { bytes: data.length, ...historyDetails(recorded) } },
        };
      }
      if (!args.recursive) {
        throw new InvalidInputError(
          `${formatDisplayPath(args.source)} is a directory; expected recursive: true to copy it and everything in it.`,
        );
      }
      const destination = await ctx.guard.resolve(args.destination, 'write');
      if (destination.exists) throw alreadyExists(args.destination);
      if (isInside(destination.path, source.path)) {
        throw new InvalidInputError(
          `Cannot copy ${formatDisplayPath(args.source)} into itself (${formatDisplayPath(args.destination)}).`,
        );
      }
      const plan = await planDirectoryCopy(ctx, source.path, args.source);
      const recorded = await recordChange(
        ctx,
        info,
        'copy_file',
        () => [{ path: destination.path, before: { kind: 'absent' } }],
        () => copyTreeStaged(ctx, source.path, destination, plan, args.destination),
      );
      const skipped =
        plan.skipped > 0
          ? ` (${plan.skipped} symbolic links, special or protected entries skipped)`
          : '';
      return {
        content: [
          {
            type: 'text',
            text: `Successfully copied ${args.source} to ${args.destination}: ${plan.files.length} files, ${plan.dirs.length + 1} directories${skipped}`,
          },
        ],
        audit: {
          details: {
            files: plan.files.length,
            dirs: plan.dirs.length + 1,
            skipped: plan.skipped,
            ...historyDetails(recorded),
          },
        },
      };
    },
  );
}
