import type { SandboxLogger } from '../types.js';
import { startLauncher, type Launcher } from './client.js';
import { findLauncher, LAUNCHER_BINARY } from './locate.js';

// The launcher for a new Sandbox, or null: then commands start from Node, as before the
// launcher existed (slower, same guarantees), and the log and `bastion doctor` say so.
export async function connectLauncher(
  binary: string | null = LAUNCHER_BINARY,
  logger?: SandboxLogger,
  staticMounts: readonly string[] = [],
): Promise<Launcher | null> {
  if (binary === null) return null;
  const found = findLauncher(binary);
  if (found === null) {
    logger?.info(
      `sandbox: launcher not built (${binary}); commands start from Node, about 20 ms slower. Run \`npm run setup\` to build it.`,
    );
    return null;
  }
  try {
    return await startLauncher(found, staticMounts);
  } catch (err) {
    logger?.warn(
      `sandbox: the launcher at ${found} did not start (${(err as Error).message}); commands start from Node.`,
    );
    return null;
  }
}
