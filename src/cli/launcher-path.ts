import { existsSync } from 'node:fs';
import { EXEC_GUARD_BINARY, LAUNCHER_BINARY } from '../sandbox/index.js';
import { stateExecGuardPath, stateLauncherPath, type StatePaths } from './state-paths.js';

// The launcher the shell server uses: the checkout's build (`npm run setup`) if there is one,
// else the one `bastion build-launcher` put in the state dir (its path, built or not).
export function chooseLauncher(paths: StatePaths): string {
  return existsSync(LAUNCHER_BINARY) ? LAUNCHER_BINARY : stateLauncherPath(paths);
}

// The exec guard, found the same way (checkout build first, then the state dir).
export function chooseExecGuard(paths: StatePaths): string {
  return existsSync(EXEC_GUARD_BINARY) ? EXEC_GUARD_BINARY : stateExecGuardPath(paths);
}
