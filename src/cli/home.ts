import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Bastion's home holds config/ and logs/; relative config paths resolve against it. It is the
// --home flag, else $BASTION_HOME, else the installed package's directory, so an MCP client that
// starts Bastion from any working directory still finds the same config.
export function resolveHome(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag) return path.resolve(flag);
  if (env.BASTION_HOME) return path.resolve(env.BASTION_HOME);
  return packageRoot();
}

// The directory holding Bastion's package.json (dist/cli/home.js -> ../../).
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
}
