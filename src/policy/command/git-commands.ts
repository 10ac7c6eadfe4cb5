import type { Unwrapped } from './unwrapped.js';

// Config keys whose value git runs as a shell command line (`sh -c VALUE`). core.pager and
// pager.* are left out on purpose: git pages only to a terminal, and commands here never get one.
const COMMAND_KEYS = [
  /^core\.(sshcommand|editor|fsmonitor|askpass|gitproxy)$/,
  /^sequence\.editor$/,
  /^diff\.external$/,
  /^gpg\.(\w+\.)?program$/,
  /^uploadpack\.packobjectshook$/,
  /^filter\..+\.(clean|smudge|process)$/,
  /^diff\..+\.(textconv|command)$/,
  /^merge\..+\.driver$/,
  /^remote\..+\.(receivepack|uploadpack)$/,
];
// Keys that make git read more config, or run programs from a directory, out of our sight.
const HIDDEN_KEYS = [/^core\.hookspath$/, /^include\.path$/, /^includeif\..+\.path$/];

// What one `KEY=VALUE` (from `-c`, `--config-env` or `git config KEY VALUE`) makes git run.
function configEffects(key: string, value: string | null, via: string): Unwrapped[] {
  const lower = key.toLowerCase();
  if (lower.startsWith('alias.')) {
    // Security: `-c alias.x='!rm y'` then `git x` runs the alias through the shell.
    if (value === null) return [{ kind: 'dynamic', via: `${via} alias` }];
    return value.startsWith('!')
      ? [{ kind: 'script', source: value.slice(1), via: 'git alias' }]
      : [];
  }
  if (lower === 'credential.helper' && value?.startsWith('!') === true)
    return [{ kind: 'script', source: value.slice(1), via: 'git credential.helper' }];
  if (HIDDEN_KEYS.some((re) => re.test(lower)))
    return [{ kind: 'dynamic', via: `${via} ${lower}` }];
  if (!COMMAND_KEYS.some((re) => re.test(lower))) return [];
  if (lower === 'core.fsmonitor' && value !== null && /^(true|false|)$/i.test(value)) return [];
  return [{ kind: 'script', source: value, via: `git ${lower}` }];
}

function splitPair(word: string | null, via: string): Unwrapped[] {
  if (word === null) return [{ kind: 'dynamic', via }];
  const eq = word.indexOf('=');
  return configEffects(
    eq === -1 ? word : word.slice(0, eq),
    eq === -1 ? 'true' : word.slice(eq + 1),
    via,
  );
}

// Global options that take a value as the next word.
const GLOBAL_WITH_VALUE = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--config-env',
]);

// What the subcommand itself runs: `rebase --exec`, `bisect run`, `submodule foreach`, `config`.
function subcommandEffects(args: readonly (string | null)[]): Unwrapped[] {
  const [sub, ...rest] = args;
  const found: Unwrapped[] = [];
  if (sub === 'rebase' || sub === 'difftool') {
    const long = sub === 'rebase' ? '--exec' : '--extcmd';
    rest.forEach((arg, i) => {
      if (arg === '-x' || arg === long)
        found.push({ kind: 'script', source: rest[i + 1] ?? null, via: `git ${sub}` });
      else if (arg?.startsWith(`${long}=`) === true)
        found.push({ kind: 'script', source: arg.slice(long.length + 1), via: `git ${sub}` });
    });
  }
  if (sub === 'bisect' && rest[0] === 'run' && rest.length > 1)
    found.push({ kind: 'command', argv: rest.slice(1), via: 'git bisect run' });
  if (sub === 'submodule' && rest.includes('foreach')) {
    const words = rest
      .slice(rest.indexOf('foreach') + 1)
      .filter((w) => w !== '--recursive' && w !== '-q' && w !== '--quiet');
    if (words.length > 0)
      found.push({
        kind: 'script',
        source: words.some((w) => w === null) ? null : words.join(' '),
        via: 'git submodule foreach',
      });
  }
  if (sub === 'config') {
    const operands = rest.filter((w) => w === null || !w.startsWith('-'));
    if (operands.length >= 2)
      found.push(...configEffects(operands[0] ?? '', operands[1] ?? null, 'git config'));
    else if (operands[0] === null) found.push({ kind: 'dynamic', via: 'git config' });
  }
  return found;
}

// `git [global options] SUBCOMMAND ...`: the config it is given and the commands it runs.
export function unwrapGit(argv: readonly (string | null)[]): Unwrapped[] {
  const found: Unwrapped[] = [];
  let i = 1;
  while (i < argv.length) {
    const arg = argv[i];
    if (arg === null || arg === undefined || !arg.startsWith('-')) break;
    if (arg === '-c') found.push(...splitPair(argv[i + 1] ?? null, 'git -c'));
    if (arg.startsWith('--config-env')) {
      // The value comes from an environment variable: unknowable for a command key.
      const pair = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[i + 1] ?? null);
      const key =
        pair === null
          ? null
          : pair.slice(0, pair.indexOf('=') === -1 ? pair.length : pair.indexOf('='));
      found.push(
        ...(key === null
          ? [{ kind: 'dynamic', via: 'git --config-env' } as const]
          : configEffects(key, null, 'git --config-env')),
      );
    }
    // Security: `--exec-path=DIR` makes git run `DIR/git-SUBCOMMAND`, a program we cannot name.
    if (arg.startsWith('--exec-path=')) found.push({ kind: 'dynamic', via: 'git --exec-path' });
    i += GLOBAL_WITH_VALUE.has(arg) ? 2 : 1;
  }
  return found.concat(subcommandEffects(argv.slice(i)));
}
