import type { Unwrapped } from './unwrapped.js';

// The languages whose inline programs are scanned.
export type Language = 'python' | 'js' | 'perl' | 'ruby' | 'php' | 'lua';

// Interpreters that take a program on the command line, and the options that carry it.
const INTERPRETERS: readonly {
  name: RegExp;
  language: Language;
  short: string;
  long: readonly string[];
  // The options that start a read-eval-print loop on stdin.
  repl: RegExp;
}[] = [
  {
    name: /^python[0-9.]*$|^pypy[0-9.]*$/,
    language: 'python',
    short: 'c',
    long: [],
    repl: /^-[A-Za-z]*i/,
  },
  {
    name: /^(node|nodejs|bun)$/,
    language: 'js',
    short: 'ep',
    long: ['eval', 'print'],
    repl: /^-i$|^--interactive$/,
  },
  { name: /^perl[0-9.]*$/, language: 'perl', short: 'eE', long: [], repl: /^$/ },
  { name: /^ruby[0-9.]*$/, language: 'ruby', short: 'e', long: [], repl: /^$/ },
  { name: /^php[0-9.]*$/, language: 'php', short: 'r', long: [], repl: /^-a$|^--interactive$/ },
  { name: /^lua[0-9.]*$|^luajit$/, language: 'lua', short: 'e', long: [], repl: /^-i$/ },
];

// Security: each of these reaches a process spawn or code built at run time.
const SPAWN_MARKER =
  /\b(os\s*\.\s*(system|popen|exec\w*|spawn\w*|posix_spawn\w*|fork\w*)|subprocess|child_process|pty\s*\.\s*spawn|commands\s*\.\s*getoutput|exec(Sync|File|FileSync)?\s*\(|spawn(Sync)?\b|system\b|popen|shell_exec|passthru|proc_open|pcntl_exec|qx\b|Open3|IO\s*\.\s*popen|Deno\s*\.\s*(run|Command)|Bun\s*\.\s*(spawn|\$)|__import__|getattr|importlib|eval\s*\(|compile\s*\(|Function\s*\(|process\s*\.\s*binding|ctypes|cffi|dlopen|ffi)\b|%x|\$`|open\s*\(?[^;]*["'][^"']*\|/;

// Calls whose first argument is the command: a string is a shell line, a list is an argv.
const SPAWN_CALLS = new Set([
  'system',
  'popen',
  'exec',
  'execSync',
  'spawn',
  'spawnSync',
  'execFile',
  'execFileSync',
  'check_output',
  'check_call',
  'call',
  'run',
  'Popen',
  'getoutput',
  'getstatusoutput',
  'shell_exec',
  'passthru',
  'proc_open',
  'pcntl_exec',
  'execvp',
  'execv',
  'execl',
  'execlp',
]);

type Token =
  | { kind: 'string'; value: string; backtick: boolean; template: boolean }
  | { kind: 'word' | 'punct'; value: string };

const QUOTED_RE =
  /^("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`)/;

function readQuoted(code: string, i: number): { token: Token; length: number } | null {
  if (i > 0 && /\w/.test(code.charAt(i - 1))) return null;
  const prefix = code.slice(i).match(/^[rbuf]{1,2}(?=["'])/i)?.[0] ?? '';
  const literal = code.slice(i + prefix.length).match(QUOTED_RE)?.[0];
  if (literal === undefined) return null;
  const quote = literal.startsWith('"""') || literal.startsWith("'''") ? 3 : 1;
  const value = literal.slice(quote, literal.length - quote).replace(/\\(["'`\\])/g, '$1');
  const backtick = literal.startsWith('`');
  const template = backtick || (/f/i.test(prefix) && value.includes('{')) || /\$\{|#\{/.test(value);
  return {
    token: { kind: 'string', value, backtick, template },
    length: prefix.length + literal.length,
  };
}

function tokenize(code: string, language: Language): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const rest = code.slice(i);
    const ch = code.charAt(i);
    const comment =
      (ch === '#' && language !== 'js' && language !== 'lua') ||
      (rest.startsWith('//') && (language === 'js' || language === 'php'));
    const quoted = /["'`rbuf]/i.test(ch) ? readQuoted(code, i) : null;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (comment) {
      while (i < code.length && code.charAt(i) !== '\n') i += 1;
    } else if (quoted !== null) {
      tokens.push(quoted.token);
      i += quoted.length;
    } else if (/\w/.test(ch)) {
      const word = rest.match(/^\w+/)?.[0] ?? ch;
      tokens.push({ kind: 'word', value: word });
      i += word.length;
    } else {
      tokens.push({ kind: 'punct', value: ch });
      i += 1;
    }
  }
  return tokens;
}

function argvList(tokens: readonly Token[], start: number): string[] | null {
  const items: string[] = [];
  let i = start + 1;
  while (i < tokens.length) {
    const token = tokens[i];
    if (token?.kind !== 'string' || token.template) return null;
    items.push(token.value);
    const next = tokens[i + 1];
    if (next?.value === ']' && next.kind === 'punct') return items;
    if (next?.value !== ',') return null;
    i += 2;
  }
  return null;
}

// The first argument of a spawn call: a literal string, a literal list, or something dynamic.
function spawnTarget(tokens: readonly Token[], start: number, via: string): Unwrapped {
  const first = tokens[start];
  const after = tokens[start + 1];
  const ends = after === undefined || [',', ')', ';', '}'].includes(after.value);
  if (first?.kind === 'string' && !first.template && ends)
    return { kind: 'script', source: first.value, via };
  if (first?.kind === 'punct' && first.value === '[') {
    const list = argvList(tokens, start);
    if (list !== null && list.length > 0) return { kind: 'command', argv: list, via };
  }
  return { kind: 'dynamic', via };
}

// Finds what inline code runs; anything it cannot read literally is reported as dynamic.
export function scanInlineCode(code: string, language: Language): Unwrapped[] {
  const via = 'inline-code';
  const words = code.match(/[A-Za-z0-9_][A-Za-z0-9_.+-]*/g) ?? [];
  const shellQuotes = language === 'perl' || language === 'ruby' || language === 'php';
  if (!SPAWN_MARKER.test(code) && !(shellQuotes && code.includes('`'))) return [];
  const tokens = tokenize(code, language);
  const found: Unwrapped[] = [];
  tokens.forEach((token, i) => {
    if (token.kind === 'string' && shellQuotes && token.backtick) {
      // Security: backticks in perl/ruby/php run a shell; `#{}` interpolation is built at run time.
      found.push(
        token.value.includes('#{')
          ? { kind: 'dynamic', via }
          : { kind: 'script', source: token.value, via },
      );
    }
    if (token.kind !== 'word' || !SPAWN_CALLS.has(token.value)) return;
    const next = tokens[i + 1];
    if (next?.kind === 'punct' && next.value === '(') found.push(spawnTarget(tokens, i + 2, via));
    else if (next?.kind === 'string' || (next?.kind === 'punct' && next.value === '['))
      found.push(spawnTarget(tokens, i + 1, via));
  });
  // Security: a spawn marker with no literal call we understood means it spawns something unknown.
  if (!found.some((u) => u.kind !== 'dynamic') || found.length === 0)
    found.push({ kind: 'dynamic', via });
  return found.map((u) => (u.kind === 'dynamic' ? { ...u, words } : u));
}

// `python3 -c CODE`, `node -e CODE`, `perl -ne CODE`...: the inline program, if any.
export function unwrapInterpreter(
  argv: readonly (string | null)[],
  name: string,
): Unwrapped[] | undefined {
  const interpreter = INTERPRETERS.find((entry) => entry.name.test(name));
  if (interpreter === undefined) return undefined;
  const codes: (string | null)[] = [];
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === null || arg === undefined || arg === '--' || !arg.startsWith('-')) break;
    const long = interpreter.long.find((l) => arg === `--${l}` || arg.startsWith(`--${l}=`));
    if (long !== undefined) {
      codes.push(arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[(i += 1)] ?? null));
      continue;
    }
    if (arg.startsWith('--')) continue;
    const at = [...arg.slice(1)].findIndex((c) => interpreter.short.includes(c));
    if (at === -1) continue;
    const attached = arg.slice(at + 2);
    codes.push(attached.length > 0 ? attached : (argv[(i += 1)] ?? null));
    if (interpreter.language === 'python') break;
  }
  // Security: `python3 -i`, `node -i`, `php -a` read code from stdin even after a script.
  const firstOperand = argv.findIndex((arg, i) => i > 0 && (arg === null || !arg.startsWith('-')));
  const options = argv.slice(1, firstOperand === -1 ? argv.length : firstOperand);
  const interactive = options.some((arg) => arg !== null && interpreter.repl.test(arg));
  const language = interpreter.language;
  if (codes.length === 0 && interactive)
    return [{ kind: 'stdin-script', via: name, language, repl: true }];
  if (codes.length === 0)
    return argv.length === 1 || argv[1] === '-'
      ? [{ kind: 'stdin-script', via: name, language }]
      : [];
  // Security: a program built at run time could run anything.
  if (codes.some((c) => c === null)) return [{ kind: 'dynamic', via: 'inline-code', words: [] }];
  return scanInlineCode(codes.join('\n'), interpreter.language);
}
