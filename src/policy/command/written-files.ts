import path from 'node:path';
import { scanOptions, scanPermutedOptions } from './option-scan.js';
import { SHELL_NAMES } from './shell-wrappers.js';

// Files one command line writes and files it runs. A file written with literal text (`echo`,
// `printf`, `cat <<EOF` redirected) is checked as the script it is; one copied, linked,
// downloaded or written with text we cannot know (`cp /bin/rm ./t; ./t x`) is refused when the
// same line runs it. A later call running it is the kernel's to judge.
export interface FileUse {
  // Path -> the text written to it, or null when unknown.
  written: Map<string, string | null>;
  run: { file: string; as: 'shell' | 'make' | 'program' }[];
}

// What running a file the line wrote means: a script to check, or a hazard.
export type WrittenRun =
  { kind: 'script'; file: string; source: string } | { kind: 'unknown'; file: string };
const COPIERS: ReadonlySet<string> = new Set(['cp', 'mv', 'ln', 'install', 'rsync']);

function normalize(file: string): string {
  return path.posix.normalize(file).replace(/\/+$/, '') || '/';
}

// Targets of `cp/mv/ln/install SRC... DEST` (or `-t DIR`), `tee FILE...`, `dd of=F`, `curl -o F`.
function writtenBy(name: string, argv: readonly (string | null)[]): string[] {
  const literal = (words: readonly (string | null)[]): string[] =>
    words.filter((w): w is string => w !== null);
  if (COPIERS.has(name)) {
    const scan = scanPermutedOptions(argv, 1, {
      shortWithArg: name === 'install' ? 'tmogS' : 'tS',
      longWithArg: ['target-directory', 'suffix', 'mode', 'owner', 'group'],
    });
    const dirs = literal([
      ...(scan.seen.get('t') ?? []),
      ...(scan.seen.get('target-directory') ?? []),
    ]);
    return dirs.length > 0 ? dirs : literal(scan.operands.slice(-1));
  }
  if (name === 'tee') return literal(argv.slice(1)).filter((w) => !w.startsWith('-'));
  if (name === 'dd')
    return literal(argv)
      .filter((w) => w.startsWith('of='))
      .map((w) => w.slice(3));
  if (name === 'curl' || name === 'wget') {
    const scan = scanPermutedOptions(argv, 1, {
      shortWithArg: name === 'curl' ? 'o' : 'O',
      longWithArg: ['output', 'output-document'],
    });
    return literal([
      ...(scan.seen.get('o') ?? []),
      ...(scan.seen.get('O') ?? []),
      ...(scan.seen.get('output') ?? []),
      ...(scan.seen.get('output-document') ?? []),
    ]);
  }
  return [];
}

// Files `name argv` executes or reads as a program: a path as the command, a shell's script
// file, `source FILE`, make's makefile (make runs its recipes; with no -f, the default names).
function runBy(name: string, argv: readonly (string | null)[]): FileUse['run'] {
  const first = argv[0];
  const run: FileUse['run'] =
    first !== null && first !== undefined && first.includes('/')
      ? [{ file: first, as: 'program' }]
      : [];
  if (SHELL_NAMES.has(name)) {
    const scan = scanOptions(argv, 1, { shortWithArg: 'oO' });
    const script = argv[scan.index];
    if (!scan.seen.has('c') && typeof script === 'string') run.push({ file: script, as: 'shell' });
  }
  if ((name === 'source' || name === '.') && typeof argv[1] === 'string')
    run.push({ file: argv[1], as: 'shell' });
  if (name === 'make' || name === 'gmake') {
    const scan = scanPermutedOptions(argv, 1, {
      shortWithArg: 'fCIjloW',
      longWithArg: ['file', 'makefile', 'directory', 'include-dir', 'jobs', 'load-average'],
    });
    const files = [
      ...(scan.seen.get('f') ?? []),
      ...(scan.seen.get('file') ?? []),
      ...(scan.seen.get('makefile') ?? []),
    ].filter((f): f is string => f !== null);
    const names = files.length > 0 ? files : ['GNUmakefile', 'makefile', 'Makefile'];
    run.push(...names.map((file) => ({ file, as: 'make' as const })));
  }
  return run;
}

function decodeEscapes(text: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };
  return text.replace(/\\(.)/g, (all, c: string) => map[c] ?? all);
}

// What `echo`, `printf` (with only %s) or `cat` of a literal here-document print, if known.
export function printedText(
  name: string,
  argv: readonly (string | null)[],
  stdin: string | null | undefined,
): string | null {
  if (argv.some((word) => word === null)) return null;
  const words = argv.slice(1) as string[];
  if (name === 'cat') return words.length === 0 && typeof stdin === 'string' ? stdin : null;
  if (name === 'echo') {
    if (words[0]?.startsWith('-') === true) return null;
    return `${words.join(' ')}\n`;
  }
  if (name !== 'printf' || words[0] === undefined || words[0].startsWith('-')) return null;
  const [format, ...args] = words;
  if (/%(?!%|s)/.test(format.replace(/%%/g, ''))) return null;
  let out = '';
  do {
    out += decodeEscapes(format.replace(/%%/g, '\0')).replace(/%s/g, () => args.shift() ?? '');
  } while (args.length > 0 && format.includes('%s'));
  return out.replace(/\0/g, '%');
}

// Adds what one command writes (as a program, not through redirects) and runs.
export function recordFileUse(use: FileUse, name: string, argv: readonly (string | null)[]): void {
  for (const file of writtenBy(name, argv)) use.written.set(normalize(file), null);
  for (const entry of runBy(name, argv)) use.run.push({ ...entry, file: normalize(entry.file) });
}

// `> FILE`, `>| FILE`, `&> FILE` replace FILE with `text`; `>> FILE` appends; `<> FILE` opens it.
export function recordRedirect(
  use: FileUse,
  operator: string,
  target: string | null,
  printed: string | null,
): void {
  if (target === null || !/^\d*(>|>>|>\||<>)$|^&>>?$/.test(operator)) return;
  const file = normalize(target);
  // Only stdout carries the printed text (`2> f` holds error output).
  const text = /^[02-9]/.test(operator) ? null : printed;
  if (operator.endsWith('>>')) {
    const before = use.written.has(file) ? use.written.get(file) : '';
    use.written.set(
      file,
      before === null || before === undefined || text === null ? null : before + text,
    );
  } else {
    use.written.set(file, operator === '<>' || operator.startsWith('&') ? null : text);
  }
}

// Recipe lines of a makefile (each runs through the shell), without their @ - + prefixes.
function recipes(makefile: string): string {
  return makefile
    .split('\n')
    .filter((line) => line.startsWith('\t') || /^[^\s#=][^=]*:[^=]*;/.test(line))
    .map((line) => (line.startsWith('\t') ? line.slice(1) : line.slice(line.indexOf(';') + 1)))
    .map((line) => line.replace(/^[@+-]+/, ''))
    .join('\n');
}

const SHELL_SHEBANG = /^#!\s*(\/usr)?\/bin\/(env\s+)?(sh|bash|dash)\b/;

// Each file the line runs after writing it: its text to check, or unknown.
export function writtenRuns(use: FileUse): WrittenRun[] {
  const found: WrittenRun[] = [];
  for (const { file, as } of use.run) {
    const exact = use.written.has(file);
    if (!exact && !use.written.has(path.posix.dirname(file))) continue;
    const text = exact ? use.written.get(file) : null;
    // A program file without `#!` is run by the shell itself (execve fails with ENOEXEC).
    const shellText = text != null && (!text.startsWith('#!') || SHELL_SHEBANG.test(text));
    const asShell = as === 'shell' || (as === 'program' && shellText);
    if (text === null || text === undefined || (as === 'program' && !asShell))
      found.push({ kind: 'unknown', file });
    else found.push({ kind: 'script', file, source: as === 'make' ? recipes(text) : text });
  }
  return found;
}
