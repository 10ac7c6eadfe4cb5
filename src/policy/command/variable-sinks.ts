import { scanOptions, type OptionSpec } from './option-scan.js';
import type { Unwrapped } from './unwrapped.js';

// Text that holds a command substitution bash would run when the text is expanded again.
const CODE_TEXT = /\$\(|`/;

// True when `text` would run a command if bash expanded it (as an array subscript, a prompt...).
export function hasCodeText(text: string): boolean {
  return CODE_TEXT.test(text);
}

// Builtins that take variable NAMES, and where those names sit. Bash evaluates the subscript of
// `name[subscript]` as arithmetic, which runs any `$(...)` in it; so `read 'a[$(rm x)]'`, and
// `read "$x"` with x='a[$(rm x)]', run rm although no word of the command line says so.
interface NameSink {
  spec: OptionSpec;
  // Options whose value is a variable name (`read -a NAME`, `printf -v NAME`).
  nameOptions: string;
  // Which operands are names: all of them, none, or the one at this position.
  operands: 'all' | 'none' | number;
}

const NAME_SINKS: Readonly<Record<string, NameSink>> = {
  read: {
    spec: { shortWithArg: 'adinNptu', shortFlags: 'ers' },
    nameOptions: 'a',
    operands: 'all',
  },
  printf: { spec: { shortWithArg: 'v' }, nameOptions: 'v', operands: 'none' },
  mapfile: { spec: { shortWithArg: 'dnOsuCc', shortFlags: 't' }, nameOptions: '', operands: 0 },
  readarray: { spec: { shortWithArg: 'dnOsuCc', shortFlags: 't' }, nameOptions: '', operands: 0 },
  unset: { spec: { shortFlags: 'fvn' }, nameOptions: '', operands: 'all' },
  getopts: { spec: {}, nameOptions: '', operands: 1 },
  wait: { spec: { shortWithArg: 'p', shortFlags: 'fn' }, nameOptions: 'p', operands: 'none' },
};

// A word bash treats as a variable name (or an arithmetic expression, for let).
function checkName(word: string | null, via: string): Unwrapped[] {
  // Security: a computed name is chosen at run time; its subscript may hold code.
  if (word === null) return [{ kind: 'hazard', hazard: 'dynamic-variable-name', via }];
  // Security: a literal subscript with `$(...)` runs it (`read 'a[$(rm x)]'`, `let 'a[$(rm x)]'`).
  return hasCodeText(word) ? [{ kind: 'expanded-text', text: word, via }] : [];
}

function nameOperands(
  operands: readonly (string | null)[],
  which: NameSink['operands'],
): (string | null)[] {
  if (which === 'none') return [];
  if (which === 'all') return [...operands];
  const word = operands[which];
  return word === undefined ? [] : [word];
}

// `test -v NAME`, `[ -v NAME ]`: the name is evaluated like any other.
function unwrapTestVariable(argv: readonly (string | null)[], via: string): Unwrapped[] {
  const found: Unwrapped[] = [];
  argv.forEach((word, i) => {
    if (word !== '-v' && word !== '-R') return;
    const name = argv[i + 1];
    if (name !== undefined) found.push(...checkName(name, via));
  });
  return found;
}

// What the name-taking builtins would evaluate: computed names, literal subscripts with code,
// the `mapfile -C` callback, and the values `printf -v` stores.
export function unwrapVariableSinks(
  name: string,
  argv: readonly (string | null)[],
  stdin: string | null | undefined,
): Unwrapped[] {
  if (name === 'test' || name === '[') return unwrapTestVariable(argv, name);
  // `let` takes no options: every word is an arithmetic expression, names and subscripts included.
  if (name === 'let') return argv.slice(1).flatMap((word) => checkName(word, name));
  const sink = NAME_SINKS[name];
  if (sink === undefined) return [];
  const scan = scanOptions(argv, 1, sink.spec);
  const found: Unwrapped[] = [];
  for (const letter of sink.nameOptions)
    for (const value of scan.seen.get(letter) ?? []) found.push(...checkName(value, name));
  for (const word of nameOperands(argv.slice(scan.index), sink.operands))
    found.push(...checkName(word, name));
  // Security: `mapfile -C CALLBACK` evaluates CALLBACK as shell code for each chunk of lines.
  for (const callback of scan.seen.get('C') ?? [])
    found.push({ kind: 'script', source: callback, via: `${name} -C` });
  // Security: what `printf -v x` and `read x <<< ...` store may be evaluated later as a name or
  // arithmetic (`$((x))`), so literal code in it is checked as if it ran now.
  const stored: (string | null)[] =
    name === 'printf' && scan.seen.has('v') ? argv.slice(scan.index) : [];
  if ((name === 'read' || name === 'mapfile' || name === 'readarray') && typeof stdin === 'string')
    stored.push(stdin);
  for (const text of stored)
    if (text !== null && hasCodeText(text))
      found.push({ kind: 'expanded-text', text, via: `${name} (stored value)` });
  return found;
}
