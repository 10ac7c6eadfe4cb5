import { it } from 'vitest';
import { startInProcess } from './files-harness.js';
it('bench', async () => {
  const s = await startInProcess({ roots: ['/tmp/bench100k'] });
  for (let i = 0; i < 4; i += 1) {
    let t = performance.now();
    const r = await s.call('search_files', { path: '/tmp/bench100k', pattern: '*.md' });
    process.stderr.write(`search_files ${(performance.now() - t).toFixed(0)}ms ${JSON.stringify(r.structuredContent).slice(0, 80)}\n`);
    t = performance.now();
    const tr = await s.call('directory_tree', { path: '/tmp/bench100k/d0' });
    process.stderr.write(`tree ${(performance.now() - t).toFixed(0)}ms ${JSON.stringify(tr.structuredContent).length}\n`);
    t = performance.now();
    const c = await s.call('search_file_contents', { path: '/tmp/bench100k', pattern: 'x' });
    process.stderr.write(`contents ${(performance.now() - t).toFixed(0)}ms ${c.isError}\n`);
  }
  await s.close();
}, 120000);
