import { scanOptions } from './option-scan.js';
import type { Unwrapped } from './unwrapped.js';

// Awk implementations whose programs can run shell commands.
export const AWK_NAMES: ReadonlySet<string> = new Set([
  'awk',
  'gawk',
  'mawk',
  'nawk',
  'busybox-awk',
]);

const AWK_KEYWORDS: ReadonlySet<string> = new Set([
  'if',
  'while',
  'return',
  'in',
  'do',
  'else',
  'print',
  'printf',
]);

type Token = { kind: 'string'; value: string } | { kind: 'other'; value: string };

function readString(program: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < program.length && program.charAt(i) !== '"') {
    const ch = program.charAt(i);
    if (ch === '\\' && i + 1 < program.length) {
      const next = program.charAt(i + 1);
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      i += 2;
    } else {
      value += ch;
      i += 1;
    }
  }
  return { value, end: i + 1 };
}

// A small awk lexer: strings, regex literals (skipped), `|`, `||`, `|&`, identifiers, punctuation.
function tokenize(program: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < program.length) {
    const ch = program.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '#') {
      while (i < program.length && program.charAt(i) !== '\n') i += 1;
    } else if (ch === '"') {
      const { value, end } = readString(program, i);
      tokens.push({ kind: 'string', value });
      i = end;
    } else if (
      ch === '/' &&
      !/^(\w+|\)|\]|"|\$\w*)$/.test(
        tokens.at(-1)?.kind === 'string' ? '"' : (tokens.at(-1)?.value ?? ''),
      )
    ) {
      let j = i + 1;
      while (j < program.length && program.charAt(j) !== '/' && program.charAt(j) !== '\n')
        j += program.charAt(j) === '\\' ? 2 : 1;
      i = j + 1;
    } else if (/[\w$]/.test(ch)) {
      const match = program.slice(i).match(/^[\w$]+/)?.[0] ?? ch;
      tokens.push({ kind: 'other', value: match });
      i += match.length;
    } else {
      const two = program.slice(i, i + 2);
      const op = two === '||' || two === '|&' || two === '&&' ? two : ch;
      tokens.push({ kind: 'other', value: op });
      i += op.length;
    }
  }
  return tokens;
}

function isEnd(token: Token | undefined): boolean {
  return (
    token === undefined || (token.kind === 'other' && [';', '}', ')', ','].includes(token.value))
  );
}

// A command expression: one string literal alone is literal; anything else is built at run time.
function commandAt(
  tokens: readonly Token[],
  start: number,
  stop: (t: Token | undefined) => boolean,
  via: string,
): Unwrapped[] {
  const first = tokens[start];
  const found: Unwrapped[] = [];
  if (first?.kind === 'string') found.push({ kind: 'script', source: first.value, via });
  // Security: `system("rm " $1)` builds the command from data; the literal prefix is still checked.
  if (first?.kind !== 'string' || !stop(tokens[start + 1]))
    found.push({ kind: 'dynamic', via, words: [] });
  return found;
}

// Finds what an awk program runs: `system(...)`, `print | "cmd"`, `"cmd" | getline`, `|&`.
export function scanAwkProgram(program: string): Unwrapped[] {
  const tokens = tokenize(program);
  const found: Unwrapped[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== 'other') return;
    if (token.value === 'system' && tokens[i + 1]?.value === '(') {
      found.push(...commandAt(tokens, i + 2, (t) => t?.value === ')', 'awk system()'));
    } else if (token.value === '|' || token.value === '|&') {
      if (tokens[i + 1]?.value === 'getline') {
        const before = tokens[i - 1];
        const prior = tokens[i - 2];
        // `x "cmd" | getline` concatenates: the command is built at run time.
        const concatenated =
          prior !== undefined &&
          (prior.kind === 'string' || /^[\w$]+$|^[)\]]$/.test(prior.value)) &&
          !AWK_KEYWORDS.has(prior.value);
        if (before?.kind === 'string')
          found.push({ kind: 'script', source: before.value, via: 'awk getline' });
        if (before?.kind !== 'string' || concatenated)
          found.push({ kind: 'dynamic', via: 'awk getline' });
      } else {
        found.push(...commandAt(tokens, i + 1, isEnd, 'awk pipe'));
      }
    }
  });
  return found;
}

// `awk [opts] 'PROGRAM' files`: the program is the first operand unless -f gives a file.
export function unwrapAwk(argv: readonly (string | null)[]): Unwrapped[] {
  const scan = scanOptions(argv, 1, {
    shortWithArg: 'FvfilEe',
    longWithArg: ['field-separator', 'assign', 'file', 'include', 'load', 'exec', 'source'],
  });
  const sources = [...(scan.seen.get('e') ?? []), ...(scan.seen.get('source') ?? [])];
  const fromFile =
    scan.seen.has('f') || scan.seen.has('file') || scan.seen.has('E') || scan.seen.has('exec');
  if (!fromFile && sources.length === 0) sources.push(argv[scan.index] ?? '');
  const files = ['f', 'file', 'E', 'exec', 'i', 'include'].flatMap(
    (key) => scan.seen.get(key) ?? [],
  );
  // Security: `awk -f <(echo 'BEGIN{system("rm x")}')` reads a program nobody can see first.
  const hidden = files.some((file) => file === null || file === '-' || file.startsWith('/dev/'));
  const found: Unwrapped[] = hidden ? [{ kind: 'dynamic', via: 'awk -f' }] : [];
  return found.concat(
    sources.flatMap((program) =>
      // Security: a program built at run time may call system() with anything.
      program === null ? [{ kind: 'dynamic', via: 'awk' } as const] : scanAwkProgram(program),
    ),
  );
}
