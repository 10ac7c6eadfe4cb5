import path from 'node:path';
import { it } from 'vitest';
import { attack, createCanaryWorld, pathAttacks } from './files-canary.js';
it('dbg', async () => {
  const w = await createCanaryWorld();
  for (const t of [path.join(w.outside, 'secret.txt'), `${w.root}/../outside/secret.txt`, `file://${w.outside}/secret.txt`, w.outside]) {
    for (const [tool, args] of pathAttacks(t)) {
      const r = JSON.stringify(await attack(w, tool, args));
      if (r.split(t).join('').includes(w.outside)) console.log(tool, t, r);
    }
  }
  await w.close();
});
