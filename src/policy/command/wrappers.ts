import { AWK_NAMES, unwrapAwk } from './awk-program.js';
import {
  PREFIX_WRAPPERS,
  unwrapBusybox,
  unwrapCommandBuiltin,
  unwrapEnv,
  unwrapFind,
  unwrapPrefix,
  unwrapTimeout,
  unwrapXargs,
} from './exec-wrappers.js';
import { unwrapInterpreter } from './inline-code.js';
import {
  SHELL_NAMES,
  unwrapEval,
  unwrapFlock,
  unwrapParallel,
  unwrapScript,
  unwrapShell,
  unwrapSource,
  unwrapSu,
  unwrapTrap,
  unwrapWatch,
} from './shell-wrappers.js';
import type { Unwrapped } from './unwrapped.js';

// Everything `name argv...` would run besides itself: wrapped commands, re-parsed strings,
// awk and inline-code spawns. `name` is the basename of argv[0].
export function unwrapArgv(name: string, argv: readonly (string | null)[]): Unwrapped[] {
  if (SHELL_NAMES.has(name)) return unwrapShell(argv, name);
  if (AWK_NAMES.has(name)) return unwrapAwk(argv);
  const prefix = PREFIX_WRAPPERS[name];
  if (prefix !== undefined) return unwrapPrefix(argv, name, prefix);
  switch (name) {
    case 'eval':
      return unwrapEval(argv);
    case 'source':
    case '.':
      return unwrapSource(argv);
    case 'su':
      return unwrapSu(argv);
    case 'trap':
      return unwrapTrap(argv);
    case 'script':
      return unwrapScript(argv);
    case 'parallel':
      return unwrapParallel(argv);
    case 'watch':
      return unwrapWatch(argv);
    case 'flock':
      return unwrapFlock(argv);
    case 'command':
      return unwrapCommandBuiltin(argv);
    case 'env':
      return unwrapEnv(argv);
    case 'timeout':
      return unwrapTimeout(argv);
    case 'xargs':
      return unwrapXargs(argv);
    case 'find':
      return unwrapFind(argv);
    case 'busybox':
      return unwrapBusybox(argv);
    default:
      return unwrapInterpreter(argv, name) ?? [];
  }
}
