// Threats the command policy (src/policy/command) defends against; every id needs a test whose
// name starts with `[ID]` (test/security/threat-coverage.test.ts checks this).
export const COMMAND_POLICY_THREATS = [
  {
    id: 'CMD-OBF-01',
    description: 'A denied name disguised by quoting: r\'\'m, "r"m, r\\m, \\rm, $"rm".',
  },
  {
    id: 'CMD-OBF-02',
    description:
      "A denied name spelled with ANSI-C escapes ($'\\x72m', $'\\162m', $'\\u0072m') or cut at a NUL ($'rm\\0x').",
  },
  {
    id: 'CMD-OBF-03',
    description:
      'A denied name reached by path (/bin/rm, ./rm, /usr/bin/r\\m) or a case variant (RM) on case-insensitive file systems.',
  },
  {
    id: 'CMD-DYN-01',
    description:
      'The command word comes from a variable or substitution (a=rm; $a, $(echo rm), `echo rm`, ${a}).',
  },
  {
    id: 'CMD-DYN-02',
    description:
      'The command word comes from a glob, brace expansion or tilde (/b?n/r?, [r]m, {r,}m, ~/rm).',
  },
  {
    id: 'CMD-LIST-01',
    description: 'A denied command hides after a separator: newline, ;, &&, ||, |, &, !.',
  },
  {
    id: 'CMD-COMP-01',
    description:
      'A denied command hides in a compound: ( ), { }, if/while/for/case, functions, conditions.',
  },
  {
    id: 'CMD-SUB-01',
    description:
      'A denied command hides in a substitution: $( ) or backticks in arguments, strings, assignments, redirect targets, [[ ]], arithmetic, ${x:-...}.',
  },
  {
    id: 'CMD-SUB-02',
    description:
      'A denied command hides in process substitution <( ) / >( ) or an unquoted here-document body.',
  },
  {
    id: 'CMD-WRAP-01',
    description:
      'A denied command is run by a shell from a string: sh -c, bash -ec, nested sh -c "sh -c ...", su -c, watch, flock -c, env -S.',
  },
  {
    id: 'CMD-WRAP-02',
    description:
      'A denied command is run by eval with pieces joined (eval "r""m x", builtin eval).',
  },
  {
    id: 'CMD-WRAP-03',
    description:
      'A denied command is run by a prefix wrapper: env, command, builtin, exec, nohup, nice, timeout, time, stdbuf, setsid, chronic, busybox, flock.',
  },
  {
    id: 'CMD-WRAP-04',
    description: 'A denied command is run per input item: xargs CMD, find -exec/-execdir/-ok CMD.',
  },
  {
    id: 'CMD-WRAP-05',
    description:
      'A privilege wrapper (sudo, doas) is used; both it and the wrapped command are reported.',
  },
  {
    id: 'CMD-STDIN-01',
    description:
      'A shell reads its script from stdin or a hidden source: base64 -d | sh, curl | bash, source /dev/stdin, . <(...), bash <(...).',
  },
  {
    id: 'CMD-STDIN-02',
    description:
      'A here-document or here-string feeds a denied command to a shell (sh <<EOF, bash <<< "...").',
  },
  {
    id: 'CMD-CODE-01',
    description: 'awk runs a denied command through system(), print | "cmd" or "cmd" | getline.',
  },
  {
    id: 'CMD-CODE-02',
    description:
      'Inline code (python -c, node -e, perl -e, ruby -e, php -r) spawns a denied command, literally or computed.',
  },
  {
    id: 'CMD-PARSE-01',
    description:
      'Unparseable input (unterminated quotes, a lone $( ) hides commands; strict mode must deny it.',
  },
  {
    id: 'CMD-ALLOW-01',
    description:
      'An allowlist is bypassed by a second command, a dynamic name, a stdin script or an unlisted wrapper target.',
  },
  {
    id: 'CMD-ROOT-01',
    description:
      "A per-root policy (mode 'none' or a narrower allowlist) is ignored for commands run in that root.",
  },
  {
    id: 'CMD-DOS-01',
    description:
      'Hostile input (deep nesting, huge strings, endless sh -c nesting) crashes or hangs the policy or slips through.',
  },
  {
    id: 'CMD-FUZZ-01',
    description: 'Arbitrary input makes analyze/decide throw or return an invalid decision.',
  },
] as const;
