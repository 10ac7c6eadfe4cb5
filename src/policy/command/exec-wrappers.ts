import { unwrapAssignment } from './environment-code.js';
import { scanOptions, type OptionSpec } from './option-scan.js';
import { wrappedCommand, type Unwrapped } from './unwrapped.js';

// Wrappers that run `options... COMMAND ARGS...`, with the options each one understands.
export const PREFIX_WRAPPERS: Readonly<Record<string, OptionSpec>> = {
  nohup: {},
  builtin: {},
  coproc: {},
  nice: { shortWithArg: 'n', longWithArg: ['adjustment'], numeric: true },
  time: {
    shortWithArg: 'fo',
    shortFlags: 'pavq',
    longWithArg: ['format', 'output'],
    longFlags: ['portability', 'append', 'verbose', 'quiet'],
  },
  stdbuf: { shortWithArg: 'ioe', longWithArg: ['input', 'output', 'error'] },
  setsid: { shortFlags: 'cfw', longFlags: ['ctty', 'fork', 'wait'] },
  chronic: { shortFlags: 'ev' },
  exec: { shortWithArg: 'a', shortFlags: 'cl' },
  ionice: {
    shortWithArg: 'cnp',
    shortFlags: 'tuP',
    longWithArg: ['class', 'classdata', 'pid', 'pgid', 'uid'],
    longFlags: ['ignore'],
  },
  sudo: {
    shortWithArg: 'ugCDprtUTR',
    shortFlags: 'AbEHiKknPSsVvBNh',
    longWithArg: [
      'user',
      'group',
      'close-from',
      'chdir',
      'prompt',
      'role',
      'type',
      'other-user',
      'command-timeout',
      'chroot',
      'host',
    ],
    longFlags: [
      'askpass',
      'background',
      'preserve-env',
      'set-home',
      'login',
      'remove-timestamp',
      'reset-timestamp',
      'non-interactive',
      'preserve-groups',
      'stdin',
      'shell',
      'bell',
    ],
  },
  doas: { shortWithArg: 'uC', shortFlags: 'nsL' },
  // The dynamic loader runs the program named after its options (`ld-linux-x86-64.so.2 /bin/rm`).
  'ld.so': {
    longWithArg: [
      'library-path',
      'inhibit-rpath',
      'audit',
      'preload',
      'argv0',
      'glibc-hwcaps-prefix',
      'glibc-hwcaps-mask',
    ],
    longFlags: ['list', 'verify', 'inhibit-cache', 'list-tunables', 'list-diagnostics', 'help'],
  },
  pkexec: { longWithArg: ['user'], longFlags: ['disable-internal-agent', 'keep-cwd'] },
};

// `command -v NAME` only looks NAME up; `command [-p] NAME ARGS` runs it.
export function unwrapCommandBuiltin(argv: readonly (string | null)[]): Unwrapped[] {
  const scan = scanOptions(argv, 1, { shortFlags: 'pvV' });
  if (scan.seen.has('v') || scan.seen.has('V')) return [];
  return wrappedCommand(argv, scan.index, scan.unknown, 'command');
}

// `env [-i] [-u X] [-C DIR] [-S STRING] [VAR=val]... CMD`.
export function unwrapEnv(argv: readonly (string | null)[]): Unwrapped[] {
  const scan = scanOptions(argv, 1, {
    shortWithArg: 'uCSaP',
    shortFlags: 'i0v',
    longWithArg: ['unset', 'chdir', 'split-string', 'argv0'],
    longFlags: [
      'ignore-environment',
      'null',
      'debug',
      'block-signal',
      'default-signal',
      'ignore-signal',
      'list-signal-handling',
    ],
  });
  let index = scan.index;
  while (argv[index] === '-') index += 1;
  // Security: NAME=value words are assignments; the first other word is the command.
  const found: Unwrapped[] = [];
  for (let word = argv[index]; typeof word === 'string' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);) {
    // Security: `env BASH_ENV=x bash -c :`, `env GIT_SSH_COMMAND='rm y' git fetch`.
    const eq = word.indexOf('=');
    found.push(...unwrapAssignment(word.slice(0, eq), word.slice(eq + 1), 'env'));
    index += 1;
    word = argv[index];
  }
  const split = [...(scan.seen.get('S') ?? []), ...(scan.seen.get('split-string') ?? [])];
  const splitFound: Unwrapped[] = [];
  for (const source of split) {
    // Security: `env -S 'rm x'` splits the string into a command line.
    const tail = argv.slice(index);
    const joined =
      source === null || tail.some((a) => a === null) ? null : [source, ...tail].join(' ');
    splitFound.push({ kind: 'script', source: joined, via: 'env -S' });
  }
  if (splitFound.length > 0) return found.concat(splitFound);
  return found.concat(wrappedCommand(argv, index, scan.unknown, 'env'));
}

// `timeout [opts] DURATION CMD...`.
export function unwrapTimeout(argv: readonly (string | null)[]): Unwrapped[] {
  const scan = scanOptions(argv, 1, {
    shortWithArg: 'sk',
    shortFlags: 'v',
    longWithArg: ['signal', 'kill-after'],
    longFlags: ['preserve-status', 'foreground', 'verbose'],
  });
  if (argv[scan.index] === undefined) return [];
  return wrappedCommand(argv, scan.index + 1, scan.unknown, 'timeout');
}

// `xargs [opts] [CMD [ARGS]]` runs CMD (default `echo`) with words read from stdin.
export function unwrapXargs(argv: readonly (string | null)[]): Unwrapped[] {
  const scan = scanOptions(argv, 1, {
    shortWithArg: 'adEILnPs',
    shortOptionalArg: 'eil',
    shortFlags: '0prtxo',
    longWithArg: [
      'arg-file',
      'delimiter',
      'max-args',
      'max-procs',
      'max-chars',
      'process-slot-var',
    ],
    longFlags: [
      'null',
      'interactive',
      'no-run-if-empty',
      'verbose',
      'exit',
      'open-tty',
      'show-limits',
      'eof',
      'replace',
      'max-lines',
    ],
  });
  return wrappedCommand(argv, scan.index, scan.unknown, 'xargs');
}

const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

// `find ... -exec CMD ARGS ;|+`, any number of times; `{}` as the command is a file name.
export function unwrapFind(argv: readonly (string | null)[]): Unwrapped[] {
  const found: Unwrapped[] = [];
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === null || arg === undefined || !FIND_EXEC.has(arg)) continue;
    let end = i + 1;
    while (end < argv.length && argv[end] !== ';' && argv[end] !== '+') end += 1;
    const inner = argv.slice(i + 1, end);
    // Security: `-exec {} ;` runs each found file as a program: the name is not literal.
    const head = inner[0];
    if (head !== undefined)
      found.push({
        kind: 'command',
        argv: head === '{}' ? [null, ...inner.slice(1)] : inner,
        via: `find ${arg}`,
      });
    i = end;
  }
  return found;
}

// `busybox APPLET ARGS` is APPLET; `busybox --list` runs nothing.
export function unwrapBusybox(argv: readonly (string | null)[]): Unwrapped[] {
  const applet = argv[1];
  if (applet === undefined || (applet !== null && applet.startsWith('-'))) return [];
  return [{ kind: 'command', argv: argv.slice(1), via: 'busybox' }];
}

// The generic case for PREFIX_WRAPPERS.
export function unwrapPrefix(
  argv: readonly (string | null)[],
  name: string,
  spec: OptionSpec,
): Unwrapped[] {
  const scan = scanOptions(argv, 1, spec);
  // `sudo -e FILE` edits FILE rather than running it.
  if (name === 'sudo' && scan.seen.has('e')) return [];
  return wrappedCommand(argv, scan.index, scan.unknown, name);
}
