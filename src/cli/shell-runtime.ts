import type { Config } from '../config/index.js';
import { SandboxUnavailableError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { CommandPolicyEngine } from '../policy/command/index.js';
import type { Sandbox } from '../sandbox/index.js';
import type { StatePaths } from './state-paths.js';

// Warn on every start when the operator turned the sandbox off: commands then run unconfined.
export const SANDBOX_OFF_WARNING =
  'WARNING: the shell sandbox is DISABLED by configuration (bastion.shell.sandbox.enabled = false). ' +
  'Commands run with the full rights of this user; only the command policy stands between the agent and the machine.';

// What the shell server needs from the machine: the sandbox (with the launcher and exec guard
// when built) and the command policy engine. Shared by `serve shell` and `hub`.
export interface ShellRuntime {
  sandbox: Sandbox;
  policy: CommandPolicyEngine;
}

// Builds the shell runtime, or exits 3 saying why the sandbox cannot start (never runs
// commands unconfined unless the config says so, and then warns).
export async function createShellRuntime(
  config: Config,
  paths: StatePaths,
  logger: Logger,
): Promise<ShellRuntime> {
  // The shell's modules load only when a shell server runs: a quicker cold start for files.
  const { createSandbox } = await import('../sandbox/index.js');
  const { chooseExecGuard, chooseLauncher } = await import('./launcher-path.js');
  const { createCommandPolicyEngine } = await import('../policy/command/index.js');
  let sandbox: Sandbox;
  try {
    sandbox = await createSandbox({
      enabled: config.shell.sandbox.enabled,
      logger,
      launcherBinary: chooseLauncher(paths),
      execGuardBinary: chooseExecGuard(paths),
    });
  } catch (err) {
    if (err instanceof SandboxUnavailableError) {
      console.error(`bastion: the shell server cannot start: ${err.message}`);
      process.exit(3);
    }
    throw err;
  }
  if (sandbox.kind === 'none') console.error(SANDBOX_OFF_WARNING);
  return { sandbox, policy: await createCommandPolicyEngine() };
}
