import path from 'node:path';
import type { FoundCommand } from '../../../policy/command/index.js';

// Programs whose stdin is shell code: every line an agent sends them is policy-checked.
export const SHELL_PROGRAMS = new Set([
  'bash', 'sh', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'rbash', 'fish', 'csh', 'tcsh',
  'busybox', 'script', 'xargs', 'parallel', 'env', 'exec', 'su', 'sudo',
]);

// True when a session's start command may hand its stdin to a shell. Conservative: a command
// whose name is only known at run time (dynamic) counts as a shell too.
export function isShellProgram(commands: readonly FoundCommand[]): boolean {
  if (commands.length === 0) return true;
  return commands.some(
    (found) => found.dynamic || found.name === null || SHELL_PROGRAMS.has(path.basename(found.name)),
  );
}
