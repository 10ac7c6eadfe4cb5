import type { Config } from '../../config/index.js';

// Hints for tools that run a command. Destructive unless every root is read-only or no root lets
// anything run; open-world only when the sandbox has network access.
export function commandHints(config: Config): {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
} {
  const canRun =
    config.shell.policy.mode !== 'none' ||
    config.roots.some((r) => r.commands?.mode !== undefined && r.commands.mode !== 'none');
  const canWrite = config.roots.some((r) => r.mode === 'read-write');
  return {
    readOnlyHint: false,
    destructiveHint: canRun && canWrite,
    idempotentHint: false,
    openWorldHint: canRun && config.shell.sandbox.network,
  };
}

// Sentence every tool description ends with: the agent cannot touch the policy or the config.
export const NO_POLICY_ACCESS =
  'No Bastion tool can read or change the command policy or the configuration; only the user can, outside this session.';
