import path from 'node:path';
import type { FoundCommand } from '../../../policy/command/index.js';

// Programs whose stdin is shell code: every input is policy-checked as a command line.
const SHELL_PROGRAMS = new Set([
  'bash',
  'sh',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'ash',
  'yash',
  'posh',
  'rbash',
  'fish',
  'csh',
  'tcsh',
  'busybox',
  'script',
  'xargs',
  'parallel',
  'env',
  'exec',
  'su',
  'sudo',
]);

// REPLs whose input is code: each input is checked as `<name> <flag> '<input>'`, so the policy's
// inline-code analysis (os.system, child_process, ...) applies to what the agent types.
const INTERPRETERS: readonly { name: RegExp; flag: string }[] = [
  { name: /^python[0-9.]*$|^pypy[0-9.]*$/, flag: '-c' },
  { name: /^(node|nodejs|bun)$/, flag: '-e' },
  { name: /^perl[0-9.]*$/, flag: '-e' },
  { name: /^ruby[0-9.]*$|^irb$/, flag: '-e' },
  { name: /^php[0-9.]*$/, flag: '-r' },
  { name: /^lua[0-9.]*$|^luajit$/, flag: '-e' },
];

// How a session's inputs are checked before they reach its stdin.
export type InputCheck =
  { kind: 'shell' } | { kind: 'interpreter'; program: string; flag: string } | { kind: 'none' };

// Decide from the start command's analysis. Conservative: a command whose name is only known at
// run time (dynamic) counts as a shell.
export function inputCheckFor(commands: readonly FoundCommand[]): InputCheck {
  if (commands.length === 0) return { kind: 'shell' };
  const names = commands.map((found) =>
    found.dynamic || found.name === null ? null : path.basename(found.name),
  );
  if (names.some((name) => name === null || SHELL_PROGRAMS.has(name))) return { kind: 'shell' };
  for (const name of names) {
    const interpreter = INTERPRETERS.find((entry) => entry.name.test(name ?? ''));
    if (interpreter !== undefined && name !== null) {
      return {
        kind: 'interpreter',
        program: name === 'irb' ? 'ruby' : name,
        flag: interpreter.flag,
      };
    }
  }
  return { kind: 'none' };
}

// The command line the policy checks for one input, or null when inputs are not checked.
export function inputPolicyText(check: InputCheck, input: string): string | null {
  switch (check.kind) {
    case 'shell':
      return input;
    case 'interpreter':
      return `${check.program} ${check.flag} '${input.replace(/'/g, `'\\''`)}'`;
    case 'none':
      return null;
  }
}
