import { READ_ONLY_ANNOTATIONS, registerFilesTool, type FilesContext } from '../context.js';
import { ListAllowedDirectoriesOutput } from '../schemas/listing.js';

// list_allowed_directories: the effective roots (configured, narrowed by the client's MCP roots).
export function registerListAllowedDirectories(ctx: FilesContext): void {
  registerFilesTool(
    ctx,
    'list_allowed_directories',
    {
      title: 'List Allowed Directories',
      description:
        'Returns the list of directories that this server is allowed to access, and whether each is ' +
        'read-only. Subdirectories within these allowed directories are also accessible.',
      inputSchema: {},
      outputSchema: ListAllowedDirectoriesOutput,
      annotations: READ_ONLY_ANNOTATIONS,
    },
    () => {
      const roots = ctx.guard.roots.map((root) => ({ path: root.path, mode: root.mode }));
      const lines = roots.map((root) =>
        root.mode === 'read-only' ? `${root.path} (read-only)` : root.path,
      );
      const text =
        roots.length === 0
          ? 'Allowed directories:\n(none: the client roots do not overlap the configured roots)'
          : `Allowed directories:\n${lines.join('\n')}`;
      return Promise.resolve({ content: [{ type: 'text', text }], structuredContent: { roots } });
    },
  );
}
