import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The directory holding Bastion's package.json (dist/cli/home.js -> ../../). Read-only to Bastion:
// it is the install directory when Bastion came from npm, the checkout when it came from git.
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
}

// npm (install -g, npx, a project's dependencies) always puts a package under node_modules/; a git
// clone never is. An installed package is replaced on upgrade and often root-owned, so it must
// never hold anyone's config or state.
export function isInstalledPackage(root: string = packageRoot()): boolean {
  return root.split(path.sep).includes('node_modules');
}
