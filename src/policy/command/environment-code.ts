import type { Unwrapped } from './unwrapped.js';
import { hasCodeText } from './variable-sinks.js';

// Variables naming a file of code that a program runs before its own work: a shell's start-up
// file, or a library the loader preloads into every program.
const STARTUP_VARIABLES: ReadonlySet<string> = new Set([
  'BASH_ENV',
  'ENV',
  'LD_PRELOAD',
  'LD_AUDIT',
]);

// Prompts bash expands (parameters, `$(...)`, arithmetic) each time it shows them; PS4 under `set -x`.
const PROMPT_VARIABLES: ReadonlySet<string> = new Set(['PS0', 'PS1', 'PS2', 'PS4']);

// Variables whose value is a command line some program runs (git through `sh -c`, editors).
// PAGER and GIT_PAGER are left out: they run only when output goes to a terminal, never here.
const COMMAND_VARIABLES: ReadonlySet<string> = new Set([
  'PROMPT_COMMAND',
  'GIT_SSH_COMMAND',
  'GIT_SSH',
  'GIT_EXTERNAL_DIFF',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'EDITOR',
  'VISUAL',
]);

// What assigning `value` to `name` (in the shell, or in a program's environment) may run later;
// `value` is null when it is not literal.
export function unwrapAssignment(name: string, value: string | null, via: string): Unwrapped[] {
  // Security: `BASH_ENV=<(echo rm x) bash -c :` runs a file nobody can read ahead of time.
  if (STARTUP_VARIABLES.has(name)) return [{ kind: 'hazard', hazard: 'startup-file', via: name }];
  if (COMMAND_VARIABLES.has(name))
    return value === '' ? [] : [{ kind: 'script', source: value, via: name }];
  if (PROMPT_VARIABLES.has(name) && value === null)
    return [{ kind: 'hazard', hazard: 'prompt-expansion', via: name }];
  // Security: stored text is evaluated again by prompts, `$((x))`, `read "$x"`...; code in it is
  // checked as if it ran now (`x='a[$(rm y)]'; echo $((x))`).
  if (value !== null && hasCodeText(value)) return [{ kind: 'expanded-text', text: value, via }];
  return [];
}
