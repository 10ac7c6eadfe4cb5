import { InvalidInputError } from '../../../errors/index.js';
import { formatDisplayPath } from '../../../policy/paths/index.js';
import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { INLINE_ENTRY_LIMIT } from '../lib/format.js';
import { compileExcludes } from '../lib/glob.js';
import { walkTree } from '../lib/walk.js';
import { DirectoryTreeInput, DirectoryTreeOutput, type TreeNode } from '../schemas/listing.js';

// directory_tree: the official JSON tree (name, type, children), built breadth-first so a tree
// cut at maxTreeEntries is complete near the top; cut directories carry truncated: true.
// Symlinks are leaves of type 'symlink', never followed.
export function registerDirectoryTree(ctx: FilesContext): void {
  const maxEntries = ctx.limits.maxTreeEntries;
  registerFilesTool(
    ctx,
    'directory_tree',
    {
      title: 'Directory Tree',
      description:
        "Get a recursive tree view of files and directories as a JSON structure. Each entry includes 'name', " +
        "'type' (file/directory/symlink), and 'children' for directories. Symbolic links are not followed. " +
        `At most ${maxEntries} entries; a cut tree says truncated: true (ask for a subdirectory or a smaller maxDepth). ` +
        'Only works within allowed directories.',
      inputSchema: DirectoryTreeInput,
      outputSchema: DirectoryTreeOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    async (args) => {
      const resolved = await ctx.guard.resolve(args.path, 'read');
      if (!resolved.exists) {
        throw new InvalidInputError(
          `Expected an existing directory, got a missing path: ${formatDisplayPath(args.path)}.`,
        );
      }
      const tree: TreeNode[] = [];
      const childrenOf = new Map<string, TreeNode[]>([['', tree]]);
      const nodeOf = new Map<string, TreeNode>();
      let count = 0;
      let truncated = false;
      const complete = await walkTree(
        resolved.path,
        {
          isDenied: ctx.listHidden,
          displayPath: args.path,
          exclude: compileExcludes(args.excludePatterns),
          ...(args.maxDepth ? { maxDepth: args.maxDepth } : {}),
        },
        (entry) => {
          const parentRelative = entry.relative.includes('/')
            ? entry.relative.slice(0, entry.relative.lastIndexOf('/'))
            : '';
          if (count >= maxEntries) {
            const parent = nodeOf.get(parentRelative);
            if (parent) parent.truncated = true;
            truncated = true;
            return 'stop';
          }
          count += 1;
          const node: TreeNode = { name: entry.name, type: entry.kind };
          if (entry.kind === 'directory') {
            node.children = [];
            childrenOf.set(entry.relative, node.children);
            nodeOf.set(entry.relative, node);
          }
          childrenOf.get(parentRelative)?.push(node);
          return 'continue';
        },
      );
      if (!complete) {
        // Directories whose contents were never reached are cut too.
        for (const node of nodeOf.values()) if (node.children?.length === 0) node.truncated = true;
      }
      const text =
        count <= INLINE_ENTRY_LIMIT
          ? JSON.stringify(tree, null, 2)
          : `Directory tree of ${args.path}: ${count} entries${truncated ? ` (truncated at the limit of ${maxEntries}; ask for a subdirectory or a smaller maxDepth)` : ''}. The tree is in structuredContent.tree.`;
      return {
        content: [{ type: 'text', text }],
        structuredContent: { path: resolved.path, tree, entries: count, truncated },
        audit: { details: { entries: count, truncated } },
      };
    },
  );
}
