const repo = '/work/main';
const { serverSpecs } = await import(repo + '/bench/servers.mjs');
const { startServer } = await import(repo + '/bench/mcp-client.mjs');
const specs = serverSpecs({ repoRoot: repo, workDir: repo + '/bench/.data/run-full', dataRoot: repo + '/bench/.data/full' });
const s = await startServer(specs.official);
const ts = [];
for (let i = 0; i < 10; i++) { const t = performance.now(); await s.call('list_directory', { path: repo + '/bench/.data/full/wide' }); ts.push(performance.now() - t); }
ts.sort((a, b) => a - b); console.log('official list min', ts[0].toFixed(1), 'p50', ts[5].toFixed(1));
await s.close();
