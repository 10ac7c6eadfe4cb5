import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { continueHint, formatSize, INLINE_ENTRY_LIMIT } from '../lib/format.js';
import { kindTag, listEntries, type ListedEntry } from '../lib/list-entries.js';
import {
  ListDirectoryInput,
  ListDirectoryOutput,
  ListDirectoryWithSizesInput,
  ListDirectoryWithSizesOutput,
} from '../schemas/listing.js';

interface Page {
  entries: ListedEntry[];
  total: number;
  offset: number;
  truncated: boolean;
  nextOffset?: number;
}

function paginate(entries: ListedEntry[], offset: number, limit: number): Page {
  const page = entries.slice(offset, offset + limit);
  const truncated = offset + page.length < entries.length;
  return {
    entries: page,
    total: entries.length,
    offset,
    truncated,
    ...(truncated ? { nextOffset: offset + page.length } : {}),
  };
}

// The names of a page grouped by kind, in page order; 'other' (sockets, FIFOs, devices) is
// listed with the files, as its [FILE] tag says.
function groupByKind(entries: readonly ListedEntry[]): {
  files: string[];
  directories: string[];
  symlinks: string[];
} {
  const groups = { files: [] as string[], directories: [] as string[], symlinks: [] as string[] };
  for (const entry of entries) {
    if (entry.type === 'directory') groups.directories.push(entry.name);
    else if (entry.type === 'symlink') groups.symlinks.push(entry.name);
    else groups.files.push(entry.name);
  }
  return groups;
}

function hintLine(page: Page): string {
  const hint = continueHint(page.truncated, page.nextOffset).trim();
  return hint ? `\n${hint}` : '';
}

function summary(dirPath: string, page: Page, where: string): string {
  return (
    `Listed ${page.entries.length} of ${page.total} entries of ${dirPath} (from offset ${page.offset}); ` +
    `the entries are in structuredContent (${where}).${continueHint(page.truncated, page.nextOffset)} ` +
    `Ask for limit <= ${INLINE_ENTRY_LIMIT} to get them as text.`
  );
}

// list_directory and list_directory_with_sizes: [FILE]/[DIR]/[LINK] lines like the official
// server, paged at maxListEntries; big pages travel once, as structured content.
export function registerListDirectoryTools(ctx: FilesContext): void {
  const maxEntries = ctx.limits.maxListEntries;
  registerFilesTool(
    ctx,
    'list_directory',
    {
      title: 'List Directory',
      description:
        'Get a detailed listing of all files and directories in a specified path. Results clearly distinguish ' +
        'between files and directories with [FILE] and [DIR] prefixes ([LINK] for symbolic links). ' +
        `At most ${maxEntries} entries per call; use offset to continue. Only works within allowed directories.`,
      inputSchema: ListDirectoryInput,
      outputSchema: ListDirectoryOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const listing = await listEntries(ctx.guard, ctx.listHidden, args.path, false);
      const page = paginate(
        listing.entries,
        args.offset ?? 0,
        Math.min(args.limit ?? maxEntries, maxEntries),
      );
      const text =
        page.entries.length <= INLINE_ENTRY_LIMIT
          ? page.entries.map((e) => `${kindTag(e.type)} ${e.name}`).join('\n') + hintLine(page)
          : summary(args.path, page, 'files, directories, symlinks');
      const { entries, ...facts } = page;
      return {
        content: [{ type: 'text', text }],
        structuredContent: { path: listing.path, ...groupByKind(entries), ...facts },
        audit: { details: { entries: entries.length, total: page.total } },
      };
    },
  );
  registerFilesTool(
    ctx,
    'list_directory_with_sizes',
    {
      title: 'List Directory with Sizes',
      description:
        'Get a detailed listing of all files and directories in a specified path, including sizes. Results ' +
        'clearly distinguish between files and directories with [FILE] and [DIR] prefixes ([LINK] for links). ' +
        `At most ${maxEntries} entries per call; use offset to continue. Only works within allowed directories.`,
      inputSchema: ListDirectoryWithSizesInput,
      outputSchema: ListDirectoryWithSizesOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const listing = await listEntries(ctx.guard, ctx.listHidden, args.path, true);
      const all = listing.entries;
      if (args.sortBy === 'size') all.sort((a, b) => (b.size ?? 0) - (a.size ?? 0));
      const page = paginate(all, args.offset ?? 0, Math.min(args.limit ?? maxEntries, maxEntries));
      const files = all.filter((e) => e.type !== 'directory');
      const totalSize = files.reduce((sum, e) => sum + (e.size ?? 0), 0);
      const totals = [
        '',
        `Total: ${files.length} files, ${all.length - files.length} directories`,
        `Combined size: ${formatSize(totalSize)}`,
      ];
      const lines = page.entries.map(
        (e) =>
          `${kindTag(e.type)} ${e.name.padEnd(30)} ${e.type === 'directory' ? '' : formatSize(e.size ?? 0).padStart(10)}`,
      );
      const text =
        page.entries.length <= INLINE_ENTRY_LIMIT
          ? [...lines, ...totals].join('\n') + hintLine(page)
          : `${summary(args.path, page, 'entries')}\n${totals.slice(1).join('\n')}`;
      return {
        content: [{ type: 'text', text }],
        structuredContent: { path: listing.path, ...page },
        audit: { details: { entries: page.entries.length, total: page.total } },
      };
    },
  );
}
