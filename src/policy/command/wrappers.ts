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
import { unwrapGit } from './git-commands.js';
import { unwrapInterpreter } from './inline-code.js';
import { unwrapSed } from './sed-script.js';
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
  // Security: the loader under any of its names (ld-linux-x86-64.so.2, ld-musl-x86_64.so.1).
  const loader = /^ld(-linux[\w.-]*|-musl[\w.-]*)?\.so(\.\d+)*$/.test(name) ? 'ld.so' : name;
  // Own keys only: a command named `toString` or `constructor` is no wrapper.
  const prefix = Object.hasOwn(PREFIX_WRAPPERS, loader) ? PREFIX_WRAPPERS[loader] : undefined;
  if (prefix !== undefined) return unwrapPrefix(argv, loader, prefix);
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
    case 'git':
      return unwrapGit(argv);
    case 'sed':
    case 'gsed':
      return unwrapSed(argv);
    case 'busybox':
      return unwrapBusybox(argv);
    default:
      return unwrapInterpreter(argv, name) ?? [];
  }
}
