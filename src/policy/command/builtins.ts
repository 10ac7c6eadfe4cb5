// Shell builtins every allowlist accepts: they only print, test, move within the shell or set
// shell state, and cannot start another program. Wrappers (eval, exec, command, source) are NOT
// here: the commands they run are checked, and they must be listed to be used.
export const SAFE_BUILTINS: ReadonlySet<string> = new Set([
  ':',
  'true',
  'false',
  'echo',
  'printf',
  'test',
  '[',
  'pwd',
  'cd',
  'export',
  'set',
  'unset',
  'exit',
  'return',
  'break',
  'continue',
  'shift',
  'read',
  'local',
  'wait',
]);
