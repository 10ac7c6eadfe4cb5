import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs enableCompileCache in a fresh Node (the cache is per process) and reports the directory
// Node then caches into, or '' when it stayed off.
const BUILT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/cli/compile-cache.js',
);
const hasCompileCache = Number(process.versions.node.split('.')[0]) >= 22;

function cacheDirWith(cacheHome: string, roots: string[]): string {
  const script = `
    import module from 'node:module';
    const { enableCompileCache } = await import(${JSON.stringify(BUILT)});
    enableCompileCache(${JSON.stringify(roots)});
    process.stdout.write(module.getCompileCacheDir?.() ?? '');`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_CACHE_HOME: cacheHome },
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe.skipIf(!hasCompileCache)('the V8 compile cache', () => {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-cc-')));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('is used in a private folder outside every root', () => {
    const home = path.join(base, 'outside-cache');
    // Node caches into a folder per Node version below the one given.
    const dir = cacheDirWith(home, [path.join(base, 'project')]);
    expect(path.dirname(dir)).toBe(path.join(home, 'bastion', 'compile-cache'));
  });

  it('stays off, and makes no folder, when the folder would lie inside a root (a root of ~)', () => {
    const home = path.join(base, 'home');
    const cacheHome = path.join(home, '.cache');
    expect(cacheDirWith(cacheHome, [home])).toBe('');
    expect(existsSync(path.join(cacheHome, 'bastion'))).toBe(false);
  });
});
