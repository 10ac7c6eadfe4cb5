import { scanOptions, scanPermutedOptions } from './option-scan.js';
import { wrappedCommand, type Unwrapped } from './unwrapped.js';

// Shells that take `-c STRING` or read a script from stdin when given no script file.
export const SHELL_NAMES: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'mksh',
  'lksh',
  'pdksh',
  'ash',
  'yash',
  'rbash',
  'posh',
  'fish',
  'csh',
  'tcsh',
]);

const STDIN_PATHS: ReadonlySet<string> = new Set([
  '-',
  '/dev/stdin',
  '/dev/fd/0',
  '/proc/self/fd/0',
]);

// `-c` may sit in any cluster (`-ec`, `-lc`); the first operand after all options is the string.
export function unwrapShell(argv: readonly (string | null)[], via: string): Unwrapped[] {
  const scan = scanOptions(argv, 1, {
    shortWithArg: 'oO',
    longWithArg: ['rcfile', 'init-file', 'command', 'init-command'],
  });
  // `+o name` / `+O name` also take a value.
  let index = scan.index;
  while (argv[index] === '+o' || argv[index] === '+O') index += 2;
  const longCommand = scan.seen.get('command')?.[0];
  if (longCommand !== undefined)
    return [{ kind: 'script', source: longCommand, via: `${via} --command` }];
  if (scan.seen.has('c')) {
    // Security: `sh -c STRING` runs STRING; parse it like any other shell input.
    return [{ kind: 'script', source: argv[index] ?? null, via: `${via} -c` }];
  }
  const script = argv[index];
  // Security: `curl ... | sh`, `sh -s`, `bash <(...)` run a script nobody can read ahead of time.
  if (scan.seen.has('s') || script === undefined || script === null || STDIN_PATHS.has(script)) {
    return [{ kind: 'stdin-script', via }];
  }
  return [];
}

// `eval ARGS...` joins its arguments with spaces and parses the result again.
export function unwrapEval(argv: readonly (string | null)[]): Unwrapped[] {
  const args = argv.slice(1);
  if (args[0] === '--') args.shift();
  if (args.length === 0) return [];
  // Security: any non-literal piece makes the evaluated text unknowable.
  const source = args.some((a) => a === null) ? null : args.join(' ');
  return [{ kind: 'script', source, via: 'eval' }];
}

// `source FILE` / `. FILE`: reading from stdin or a process substitution is a hidden script.
export function unwrapSource(argv: readonly (string | null)[]): Unwrapped[] {
  const file = argv[1] === '--' ? argv[2] : argv[1];
  if (file === undefined) return [];
  if (file === null || STDIN_PATHS.has(file))
    return [{ kind: 'stdin-script', via: argv[0] ?? 'source' }];
  return [];
}

// `su [opts] [user] -c STRING` runs STRING through the target user's shell.
export function unwrapSu(argv: readonly (string | null)[]): Unwrapped[] {
  const found: Unwrapped[] = [];
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-c' || arg === '--command' || arg === '--session-command') {
      found.push({ kind: 'script', source: argv[i + 1] ?? null, via: 'su -c' });
    } else if (
      arg?.startsWith('--command=') === true ||
      arg?.startsWith('--session-command=') === true
    ) {
      found.push({ kind: 'script', source: arg.slice(arg.indexOf('=') + 1), via: 'su -c' });
    }
  }
  return found;
}

// `watch CMD...` joins its arguments and runs them with `sh -c`, unless `-x` is given.
export function unwrapWatch(argv: readonly (string | null)[]): Unwrapped[] {
  const scan = scanOptions(argv, 1, {
    shortWithArg: 'nq',
    shortOptionalArg: 'd',
    shortFlags: 'bcegtxpwrhv',
    longWithArg: ['interval', 'equexit'],
    longFlags: [
      'differences',
      'beep',
      'color',
      'no-color',
      'errexit',
      'chgexit',
      'no-title',
      'exec',
      'precise',
      'no-wrap',
      'no-rerun',
      'no-linewrap',
      'help',
      'version',
    ],
  });
  if (scan.seen.has('x') || scan.seen.has('exec'))
    return wrappedCommand(argv, scan.index, scan.unknown, 'watch');
  const rest = argv.slice(scan.index);
  if (rest.length === 0) return [];
  const source = rest.some((a) => a === null) ? null : rest.join(' ');
  const found: Unwrapped[] = [{ kind: 'script', source, via: 'watch' }];
  if (scan.unknown) found.push({ kind: 'dynamic', via: 'watch (unknown option)' });
  return found;
}

// `flock [opts] FILE CMD...`, `flock [opts] FILE -c STRING`, or `flock FD` (no command).
export function unwrapFlock(argv: readonly (string | null)[]): Unwrapped[] {
  const spec = {
    shortWithArg: 'wEc',
    shortFlags: 'sxunoFehV',
    longWithArg: ['timeout', 'wait', 'conflict-exit-code', 'command'],
    longFlags: [
      'shared',
      'exclusive',
      'unlock',
      'nonblock',
      'nb',
      'close',
      'no-fork',
      'verbose',
      'help',
    ],
  };
  const before = scanOptions(argv, 1, spec);
  const file = argv[before.index];
  if (file === undefined) return [];
  const after = scanOptions(argv, before.index + 1, spec);
  const command =
    before.seen.get('c')?.[0] ??
    after.seen.get('c')?.[0] ??
    before.seen.get('command')?.[0] ??
    after.seen.get('command')?.[0];
  const unknown = before.unknown || after.unknown;
  if (command !== undefined) return [{ kind: 'script', source: command, via: 'flock -c' }];
  return wrappedCommand(argv, after.index, unknown, 'flock');
}

// `trap ACTION SIGNAL...` runs ACTION as shell code when the signal (or EXIT) arrives.
export function unwrapTrap(argv: readonly (string | null)[]): Unwrapped[] {
  const scan = scanOptions(argv, 1, { shortFlags: 'lpP' });
  const operands = argv.slice(scan.index);
  const action = operands[0];
  if (operands.length < 2 || action === '-' || action === '') return [];
  return [{ kind: 'script', source: action ?? null, via: 'trap' }];
}

// `script -c STRING` (util-linux) runs STRING with the user's shell.
export function unwrapScript(argv: readonly (string | null)[]): Unwrapped[] {
  // Security: util-linux getopt permutes, so `script log -c CMD` runs CMD too.
  const scan = scanPermutedOptions(argv, 1, {
    shortWithArg: 'cEIOBTm',
    longWithArg: [
      'command',
      'echo',
      'log-in',
      'log-out',
      'log-io',
      'log-timing',
      'logging-format',
      'output-limit',
    ],
  });
  const command = scan.seen.get('c')?.[0] ?? scan.seen.get('command')?.[0];
  return command === undefined ? [] : [{ kind: 'script', source: command, via: 'script -c' }];
}

// `parallel [opts] COMMAND ::: ARGS` runs COMMAND (joined, through a shell) once per argument.
export function unwrapParallel(argv: readonly (string | null)[]): Unwrapped[] {
  const end = argv.findIndex((a, i) => i > 0 && (a === ':::' || a === '::::' || a === ':::+'));
  const words = argv.slice(1, end === -1 ? argv.length : end);
  const first = words.findIndex((w) => w === null || !w.startsWith('-'));
  // Security: parallel's many options are not modelled; any option makes the command unknown.
  if (first !== 0) return words.length === 0 ? [] : [{ kind: 'dynamic', via: 'parallel' }];
  const source = words.some((w) => w === null) ? null : words.join(' ');
  return [{ kind: 'script', source, via: 'parallel' }];
}
