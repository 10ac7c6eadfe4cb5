import { existsSync } from 'node:fs';
import { LAUNCHER_BINARY } from '../sandbox/index.js';
import { stateLauncherPath, type StatePaths } from './state-paths.js';

// The launcher the shell server uses: the checkout's build (`npm run setup`) if there is one,
// else the one `bastion build-launcher` put in the state dir (its path, built or not).
export function chooseLauncher(paths: StatePaths): string {
  return existsSync(LAUNCHER_BINARY) ? LAUNCHER_BINARY : stateLauncherPath(paths);
}
