// Maps each bench operation to a server's tool and arguments, after checking its tools/list:
// tool names match between Bastion and the official server, but argument names and search
// semantics may differ. An operation the server lacks is null (shown as n/a).

function propsOf(tool) {
  return Object.keys(tool?.inputSchema?.properties ?? {});
}

function pick(props, candidates) {
  return candidates.find((c) => props.includes(c)) ?? null;
}

export async function resolveFilesOps(session) {
  const tools = await session.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  const ops = {};
  const read = byName.get('read_text_file') ?? byName.get('read_file');
  if (read) {
    const props = propsOf(read);
    const tailKey = pick(props, ['tail', 'tailLines', 'lastLines']);
    ops.read = (path) => session.call(read.name, { path });
    ops.tail = tailKey ? (path, n, t) => session.call(read.name, { path, [tailKey]: n }, t) : null;
  }
  const write = byName.get('write_file');
  if (write) ops.write = (path, content) => session.call(write.name, { path, content });
  const list = byName.get('list_directory');
  if (list) ops.list = (path, t) => session.call(list.name, { path }, t);
  const tree = byName.get('directory_tree');
  if (tree) ops.tree = (path, t) => session.call(tree.name, { path }, t);
  const search = byName.get('search_files');
  if (search) {
    const key = pick(propsOf(search), ['pattern', 'glob', 'query']);
    // Both servers take a glob matched against the path relative to `path` (the official server
    // uses minimatch on the relative path), so a name match anywhere needs a leading `**/`.
    ops.searchNames = (path, token, t) =>
      session.call(search.name, { path, [key]: `**/*${token}*` }, t);
  }
  const content = byName.get('search_file_contents');
  if (content) {
    const key = pick(propsOf(content), ['pattern', 'query', 'regex', 'text']);
    ops.searchContent = (path, token, t) => session.call(content.name, { path, [key]: token }, t);
  }
  return ops;
}
