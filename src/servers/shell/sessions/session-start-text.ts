// A bare interactive shell, optionally with flags only: `bash`, `sh -i`, `/bin/bash --norc`.
const BARE_SHELL =
  /^\s*(?:\S*\/)?(?:bash|sh|zsh|dash|ksh|mksh|ash|yash|posh)((?:\s+--?[A-Za-z][A-Za-z-]*)*)\s*$/;

// The text the policy checks for a session's start command. A bare shell reads its script from
// the session's stdin, which strict mode refuses for run_command ("script from stdin"); here every
// input is checked by send_input instead, so the shell itself is checked as if it ran a no-op.
// Anything else (pipes into a shell, `bash < file`, `-c`) is checked exactly as written.
export function sessionPolicyText(command: string): string {
  const match = command.match(BARE_SHELL);
  if (match === null) return command;
  // Security: a `-c` among short flags would make the appended text change what runs.
  if (/(?:^|\s)-[A-Za-z]*c/.test(match[1] ?? '')) return command;
  return `${command.trim()} -c :`;
}
