import path from 'node:path';
import { scanOptions, scanPermutedOptions } from './option-scan.js';
import { SHELL_NAMES } from './shell-wrappers.js';

// Files one command line writes and files it runs, so that running a file the same line wrote,
// copied or linked (`cp /bin/rm ./t; ./t x`, `echo 'rm x' > s.sh; sh s.sh`) is refused: its
// content is unknown to the policy. A later call running it is the kernel's to judge.
export interface FileUse {
  written: string[];
  run: string[];
}

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
function runBy(name: string, argv: readonly (string | null)[]): string[] {
  const first = argv[0];
  const run = first !== null && first !== undefined && first.includes('/') ? [first] : [];
  if (SHELL_NAMES.has(name)) {
    const scan = scanOptions(argv, 1, { shortWithArg: 'oO' });
    const script = argv[scan.index];
    if (!scan.seen.has('c') && typeof script === 'string') run.push(script);
  }
  if ((name === 'source' || name === '.') && typeof argv[1] === 'string') run.push(argv[1]);
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
    run.push(...(files.length > 0 ? files : ['GNUmakefile', 'makefile', 'Makefile']));
  }
  return run;
}

// Adds what one command writes and runs.
export function recordFileUse(use: FileUse, name: string, argv: readonly (string | null)[]): void {
  use.written.push(...writtenBy(name, argv).map(normalize));
  use.run.push(...runBy(name, argv).map(normalize));
}

// `> FILE`, `>> FILE`, `&> FILE`, `>| FILE`, `<> FILE` write FILE.
export function recordRedirect(use: FileUse, operator: string, target: string | null): void {
  if (target !== null && /^\d*(>|>>|>\||<>)$|^&>>?$/.test(operator))
    use.written.push(normalize(target));
}

// The first file run that the same line wrote (or wrote into, when the target is a directory).
export function findRunWrittenFile(use: FileUse): string | undefined {
  const written = new Set(use.written);
  return use.run.find((file) => written.has(file) || written.has(path.posix.dirname(file)));
}
