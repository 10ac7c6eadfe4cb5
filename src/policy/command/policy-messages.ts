import { SAFE_BUILTINS } from './builtins.js';
import type { HazardKind } from './types.js';

const PRIVILEGE = new Set(['sudo', 'su', 'doas', 'pkexec', 'run0']);

function quote(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut);
}

const HAZARD_REASONS: Record<HazardKind, string> = {
  'dynamic-variable-name':
    'uses a variable name chosen at run time (read "$x", printf -v "$x", declare "$x", ${!x}, [[ -v $x ]]); bash evaluates array subscripts in such names, which can run commands. Write variable names literally',
  'prompt-expansion':
    'expands text as a prompt (${x@P}, or PS0/PS1/PS2/PS4 set to a computed value), which runs the command substitutions in it. Write the text out directly',
  'startup-file':
    'names a start-up file or preloaded library (BASH_ENV, ENV, --rcfile, --init-file, LD_PRELOAD, LD_AUDIT) whose code runs before the command and cannot be checked. Run the commands directly instead',
  'runs-written-file':
    'runs a program or script that the same command writes, copies or links first, so its content cannot be checked. Write the file in one call, read it back, and run it in another',
};

function listed(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, 30).join(', ');
  return names.length > 30 ? `${shown}, ...` : shown;
}

// Messages for the agent: each names the rule and says what is allowed instead.
export const MESSAGES = {
  modeNone: (): string =>
    "Running commands is disabled here (command policy mode 'none', rule 'mode:none'). Use the file tools instead.",
  unparseable: (reason: string): string =>
    `The command could not be parsed (${reason}); strict mode refuses what it cannot read (rule 'strict:unparseable'). Fix the quoting, or split it into simpler commands.`,
  denied: (name: string, entry: string): string => {
    const why = PRIVILEGE.has(name.toLowerCase())
      ? 'Bastion runs commands without privileges; run the command itself, without a privilege wrapper.'
      : 'Commands not on the denylist are allowed; do the task another way.';
    return `'${name}' is denied by the denylist rule 'denylist:${entry}'. ${why}`;
  },
  deniedMaybe: (pattern: string, entry: string): string =>
    `The command word ${quote(pattern)} could expand to '${entry}', which is denied by the rule 'denylist:${entry}'. Write the command name literally.`,
  deniedWord: (entry: string): string =>
    `The command mentions '${entry}', which is denied by the denylist rule 'denylist:${entry}', in a place that cannot be checked exactly (unparsable text or inline code that spawns processes). Commands not on the denylist are allowed.`,
  dynamic: (text: string, via: string | undefined): string =>
    `The command name in ${quote(text)}${via === undefined ? '' : ` (via ${via})`} is only known at run time (a variable, substitution, glob, brace expansion or computed code), and strict mode needs literal command names (rule 'strict:dynamic-command'). Write the command name literally, e.g. 'rm file' rather than '$cmd file'.`,
  stdinScript: (): string =>
    "A shell would read its script from stdin or from a source that cannot be checked (e.g. 'curl ... | sh', 'bash <(...)'); strict mode refuses this (rule 'strict:script-from-stdin'). Write the commands out directly, or pass them with 'sh -c'.",
  hazard: (rule: string, kind: HazardKind, text: string): string =>
    `The command ${quote(text)} ${HAZARD_REASONS[kind]} (rule '${rule}').`,
  notListed: (name: string, allow: readonly string[]): string =>
    `'${name}' is not on the allowlist (rule 'allowlist:not-listed:${name}'). Allowed commands: ${listed(allow)}; plus the builtins ${[...SAFE_BUILTINS].join(' ')}.`,
  allowlistUnknown: (rule: string, allow: readonly string[]): string =>
    `The allowlist cannot verify this command (rule '${rule}'): part of it is only known at run time or could not be parsed. Write it with literal command names from the allowlist: ${listed(allow)}.`,
  confirm: (name: string): string =>
    `'${name}' needs the user's confirmation before it runs (rule 'confirm:${name}').`,
  allowed: (mode: string): string => `Allowed by the command policy (mode '${mode}').`,
} as const;
