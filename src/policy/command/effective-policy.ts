import type { Root } from '../../config/load-config.js';
import type { CommandPolicy } from '../../config/schema.js';

// The policy for commands run in `root`: each field the root sets replaces the global one.
export function effectivePolicy(base: CommandPolicy, root: Root | undefined): CommandPolicy {
  const override = root?.commands;
  if (override === undefined) return base;
  return {
    mode: override.mode ?? base.mode,
    allow: override.allow !== undefined ? [...override.allow] : base.allow,
    deny: override.deny !== undefined ? [...override.deny] : base.deny,
    confirm: override.confirm !== undefined ? [...override.confirm] : base.confirm,
    strict: override.strict ?? base.strict,
  };
}
