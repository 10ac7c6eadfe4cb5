// Threats the files server defends against; each id is named by at least one test in
// test/security/files-*.test.ts (the lead's coverage test enforces it).
export const FILES_THREATS = [
  {
    id: 'FS-TRAV-01',
    description:
      'Relative ../ traversal spellings (nested, trailing, mixed with ./ and //) escape the root',
  },
  {
    id: 'FS-TRAV-02',
    description: 'An absolute path (or file:// URI) outside every root is read, listed or written',
  },
  {
    id: 'FS-TRAV-03',
    description:
      'A sibling directory sharing the root as a string prefix (root-evil) counts as inside',
  },
  { id: 'FS-TRAV-04', description: 'A leading ~ is expanded to the server user home directory' },
  {
    id: 'FS-TRAV-05',
    description: 'A NUL byte truncates the path at the syscall (safe.txt\\0/../../secret)',
  },
  {
    id: 'FS-LINK-01',
    description: 'A symlink inside the root to a file outside is read through by a read tool',
  },
  {
    id: 'FS-LINK-02',
    description: 'A symlinked directory leading outside is read or listed through',
  },
  {
    id: 'FS-LINK-03',
    description: 'A chain of symlinks (inside -> inside -> outside) hides the final outside target',
  },
  {
    id: 'FS-LINK-04',
    description:
      'A dangling symlink to a missing outside path lets a write tool create that outside file',
  },
  {
    id: 'FS-LINK-05',
    description:
      'A write, mkdir or copy through a symlinked directory creates files outside the root',
  },
  {
    id: 'FS-LINK-06',
    description:
      'move_file/copy_file onto or through links moves or copies an outside target, or overwrites via a link',
  },
  {
    id: 'FS-LINK-07',
    description:
      'search_files, search_file_contents, directory_tree or list_directory follow links out and reveal outside names or content',
  },
  {
    id: 'FS-LINK-08',
    description:
      'delete_path on a link (or a tree holding links) deletes the outside target instead of the link',
  },
  { id: 'FS-DENY-01', description: 'A denied secret (.env, *.pem, .ssh/*) is read by a read tool' },
  {
    id: 'FS-DENY-02',
    description: 'A denied secret is written, edited, created, copied over, moved or deleted',
  },
  {
    id: 'FS-DENY-03',
    description:
      'Denied entries appear (name or content) in listings, trees, file searches or content searches',
  },
  {
    id: 'FS-DENY-04',
    description:
      'An innocently named symlink to a denied file, or a denied spelling through a link, bypasses the deny rules',
  },
  {
    id: 'FS-RO-01',
    description: 'A write tool changes, creates, moves or deletes anything in a read-only root',
  },
  {
    id: 'FS-ROOT-01',
    description: 'delete_path or move_file removes or relocates an allowed root itself',
  },
  {
    id: 'FS-ROOTS-01',
    description:
      'MCP client roots (/, an outside dir, a parent of the root) widen access beyond the configured roots',
  },
  {
    id: 'FS-ATOMIC-01',
    description: 'A server killed mid-write leaves a torn (partially written) target file',
  },
  {
    id: 'FS-TEMP-01',
    description:
      'Temp files of writes killed mid-way (SIGKILL, a crash) pile up in the user folders and survive restarts',
  },
  {
    id: 'FS-TEMP-02',
    description:
      'A recursive copy_file killed mid-way leaves a partial destination tree, and the retry is refused because it exists',
  },
  {
    id: 'FS-TEMP-03',
    description:
      'Listings, searches or get_file_info show Bastion temp files or staged copies (in-flight or stale content)',
  },
  {
    id: 'FS-TEMP-04',
    description:
      "The temp sweep deletes a live write of another server, a user's look-alike file, a link's target, or anything in a read-only root",
  },
  {
    id: 'FS-LEAK-01',
    description: 'An error reveals an outside host path, a secret, or a stack trace to the client',
  },
  {
    id: 'FS-RACE-01',
    description:
      'A directory swapped for a symlink to outside while a walk, listing or search runs leaks outside names or content',
  },
  {
    id: 'FS-ARG-01',
    description:
      'Search arguments (pattern, globs) are taken by ripgrep as options (--pre=cmd) and run a command',
  },
  {
    id: 'FS-DOS-01',
    description:
      'Reading a FIFO or device hangs the server, or a huge input is processed unbounded',
  },
  {
    id: 'FS-AUD-01',
    description:
      'A secret in a file tool argument (a private key or token in write_file content, a credential URL in edit_file) is written in clear to audit.jsonl, or a huge content is logged whole',
  },
  {
    id: 'FS-HISTORY-CRASH-01',
    description:
      'A crash (SIGKILL) during an undo leaves a half-restored tree instead of the state before or after the undo',
  },
  {
    id: 'FS-HISTORY-CRASH-02',
    description:
      'A crash between the renames of a multi-path undo (a move over a file) leaves neither state, for good',
  },
  {
    id: 'FS-HISTORY-ROOT-01',
    description:
      'The history store sits inside a root, so an agent reads old versions of files or forges what an undo writes back',
  },
  {
    id: 'FS-HISTORY-SCOPE-01',
    description:
      'An agent undoes (or lists) a change in a root it may not write, or outside its roots, or a read-only caller gets undo_change',
  },
] as const;
