const repo = '/work/main';
const [,, op, n = '20'] = process.argv;
const { serverSpecs } = await import(repo + '/bench/servers.mjs');
const { startServer, textOf } = await import(repo + '/bench/mcp-client.mjs');
const specs = serverSpecs({ repoRoot: repo, workDir: repo + '/bench/.data/run-full', dataRoot: repo + '/bench/.data/full', smallRoot: repo + '/bench/.data/full/small-root' });
const spec = specs[op === 'echo' ? (process.env.SMALL ? 'bastionShellSmall' : 'bastionShell') : 'bastionFiles'];
if (process.env.PROF) spec.args = ['--cpu-prof', '--cpu-prof-dir', '/tmp/prof/' + op, ...spec.args];
const s = await startServer(spec);
const D = repo + '/bench/.data/full';
const calls = {
  list: () => s.call('list_directory', { path: D + '/wide' }),
  tail: () => s.call('read_text_file', { path: D + '/big.log', tail: 10 }),
  read: () => s.call('read_text_file', { path: D + '/small-1k.txt' }),
  tree: () => s.call('directory_tree', { path: D + '/tree/group-0' }, 120000),
  names: () => s.call('search_files', { path: D + '/tree', pattern: '**/*invoice*' }, 120000),
  content: () => s.call('search_file_contents', { path: D + '/tree', pattern: 'frobnicate' }, 120000),
  echo: () => s.call('run_command', { command: 'echo hi' }),
};
const ts = [];
for (let i = 0; i < Number(n); i++) { const t = performance.now(); const r = await calls[op](); ts.push(performance.now() - t); if (i === 0) console.log(JSON.stringify(r).length, JSON.stringify(r).slice(0, 300)); }
ts.sort((a, b) => a - b);
console.log(op, 'min', ts[0].toFixed(2), 'p50', ts[Math.floor(ts.length / 2)].toFixed(2), 'max', ts.at(-1).toFixed(2));
await s.close();
