// Threats to the exec rules (allow, deny, confirm enforced by the kernel at exec; docs/SANDBOX.md
// "Exec rules"); every id needs a test whose name starts with `[ID]`. Tests:
// test/security/exec-rules.test.ts (kernel, no parser) and exec-rules-server.test.ts (end to end).
export const EXEC_RULE_THREATS = [
  {
    id: 'EXEC-01',
    description:
      'A forbidden program runs through text the parser reads as inert data but bash evaluates (arithmetic on array subscripts in quoted strings, prompt expansion).',
  },
  {
    id: 'EXEC-02',
    description:
      'A forbidden program runs from a substitution the analysis does not descend into (nested backticks, parameter-expansion operands, compound commands, process substitution).',
  },
  {
    id: 'EXEC-03',
    description:
      'A forbidden program runs through a program that runs its operands (find -exec, sed e, flock, setsid, script, make, git aliases, perl, python, awk, env -S).',
  },
  {
    id: 'EXEC-04',
    description:
      'A forbidden program is named only at run time (printf or base64 output, a sourced file, eval of built text).',
  },
  {
    id: 'EXEC-05',
    description:
      'A forbidden program runs from a script read elsewhere than stdin, a start-up file named by the environment (BASH_ENV, ENV, --rcfile), an alias, a REPL, or session inputs split so that each looks harmless.',
  },
  {
    id: 'EXEC-06',
    description:
      'A forbidden program runs as a copy, a link, a memfd, through the dynamic loader, or a look-alike of an allowed name in a writable root or /tmp.',
  },
  {
    id: 'EXEC-07',
    description:
      'A file in a root with exec: false (or written to the scratch dirs then) is executed.',
  },
] as const;
