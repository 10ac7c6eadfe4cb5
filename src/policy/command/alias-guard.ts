import path from 'node:path';
import type { CommandPolicy } from '../../config/schema.js';
import { SHELL_NAMES } from './shell-wrappers.js';
import type { CommandPolicyEngine, FoundCommand, PolicyDecision } from './types.js';

// Bash expands an alias AFTER the policy read the command (`alias t=touch` then `t marker`, here
// or in a later session input). So: alias bodies must pass the policy when defined, and anything
// that turns expansion on or writes the alias table out of the policy's sight is refused.
const EXPANSION_SWITCHES = ['expand_aliases', 'BASH_ALIASES', 'BASHOPTS'] as const;

function deny(rule: string, message: string, commands: FoundCommand[]): PolicyDecision {
  return { action: 'deny', rule, message: `${message} (rule '${rule}')`, commands };
}

// An interactive shell expands aliases by default.
function isInteractiveShell(found: FoundCommand): boolean {
  if (found.name === null || !SHELL_NAMES.has(path.basename(found.name))) return false;
  return found.argv.slice(1).some((word) => word === null || /^-[A-Za-z]*i/.test(word));
}

// The first alias body the policy does not allow, or null when every body is fine.
function refusedAliasBody(
  engine: CommandPolicyEngine,
  found: FoundCommand,
  policy: CommandPolicy,
): string | null {
  for (const word of found.argv.slice(1)) {
    if (word === null) return 'a non-literal alias';
    if (word.startsWith('-') || !word.includes('=')) continue;
    const verdict = engine.decide(word.slice(word.indexOf('=') + 1), policy);
    if (verdict.action !== 'allow') return verdict.rule;
  }
  return null;
}

// Re-check a decision that is not already a denial; returns it unchanged when clean.
export function checkAliases(
  engine: CommandPolicyEngine,
  command: string,
  policy: CommandPolicy,
  decision: PolicyDecision,
): PolicyDecision {
  if (decision.action === 'deny') return decision;
  const { commands } = decision;
  // Security: quotes and backslashes can split a name ("BASH_ALI""ASES") without changing it.
  const unquoted = command.replace(/['"\\]/g, '');
  const words = commands.flatMap((found) => found.argv.filter((w): w is string => w !== null));
  const named = EXPANSION_SWITCHES.find(
    (name) => unquoted.includes(name) || words.some((w) => w.includes(name)),
  );
  if (named !== undefined) {
    return deny(
      'strict:alias-expansion',
      `Commands that mention ${named} can define aliases the policy cannot check`,
      commands,
    );
  }
  if (commands.some((found) => found.name === 'shopt' && found.argv.includes(null))) {
    return deny(
      'strict:alias-expansion',
      'shopt with a non-literal option could turn on alias expansion',
      commands,
    );
  }
  if (commands.some(isInteractiveShell)) {
    return deny(
      'strict:alias-expansion',
      'An interactive shell (-i) expands aliases the policy cannot see; use sh -c or bash -c',
      commands,
    );
  }
  for (const found of commands.filter((c) => c.name === 'alias')) {
    const refused = refusedAliasBody(engine, found, policy);
    if (refused !== null) {
      return deny(
        'strict:alias-body',
        `An alias whose body the policy would not run (${refused}) is refused: bash expands it after this check`,
        commands,
      );
    }
  }
  return decision;
}
