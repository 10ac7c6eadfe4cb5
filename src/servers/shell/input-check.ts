import path from 'node:path';
import { SHELL_NAMES, type FoundCommand } from '../../policy/command/index.js';

// Programs whose stdin is shell code: every input is policy-checked as a command line.
// (Wrappers such as env, nohup or xargs are unwrapped by the policy engine already.)
const SHELL_PROGRAMS: ReadonlySet<string> = new Set([
  ...SHELL_NAMES,
  'busybox',
  'script',
  'su',
  'sudo',
]);

// REPLs whose input is code, with the flag that makes them interactive: each input is checked as
// `<name> <codeFlag> '<input>'`, so the policy's inline-code analysis (os.system, child_process,
// ...) applies to what the agent types. Without the flag, stdin is the script's data.
const INTERPRETERS: readonly { name: RegExp; codeFlag: string; interactive: RegExp }[] = [
  { name: /^python[0-9.]*$|^pypy[0-9.]*$/, codeFlag: '-c', interactive: /^-[A-Za-z]*i/ },
  { name: /^(node|nodejs|bun)$/, codeFlag: '-e', interactive: /^(-i|--interactive|repl)$/ },
  { name: /^perl[0-9.]*$/, codeFlag: '-e', interactive: /^-[A-Za-z]*d/ },
  { name: /^irb$/, codeFlag: '-e', interactive: /^/ },
  { name: /^php[0-9.]*$/, codeFlag: '-r', interactive: /^-a$/ },
  { name: /^lua[0-9.]*$|^luajit$/, codeFlag: '-e', interactive: /^-[A-Za-z]*i/ },
];

// How a session's inputs are checked before they reach its stdin.
export type InputCheck =
  { kind: 'shell' } | { kind: 'interpreter'; program: string; flag: string } | { kind: 'none' };

// Decide from a command's analysis. Conservative: a command whose name is only known at run time
// (dynamic) counts as a shell.
export function inputCheckFor(commands: readonly FoundCommand[]): InputCheck {
  if (commands.length === 0) return { kind: 'shell' };
  for (const found of commands) {
    const name = found.dynamic || found.name === null ? null : path.basename(found.name);
    if (name === null || SHELL_PROGRAMS.has(name)) return { kind: 'shell' };
  }
  for (const found of commands) {
    const name = path.basename(found.name ?? '');
    const interpreter = INTERPRETERS.find((entry) => entry.name.test(name));
    if (interpreter === undefined) continue;
    const args = found.argv.slice(1);
    // Security: a non-literal argument might be the interactive flag; assume it is.
    if (name === 'irb' || args.some((arg) => arg === null || interpreter.interactive.test(arg))) {
      return {
        kind: 'interpreter',
        program: name === 'irb' ? 'ruby' : name,
        flag: interpreter.codeFlag,
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
