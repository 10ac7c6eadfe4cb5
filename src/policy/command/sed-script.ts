import { scanPermutedOptions } from './option-scan.js';
import type { Unwrapped } from './unwrapped.js';

// What a GNU sed script runs: `e COMMAND` runs COMMAND, a bare `e` and the `s///e` flag run the
// pattern space (text only known at run time). Returns null when the script cannot be read, so
// the caller fails closed instead of guessing.
export function scanSedScript(script: string): Unwrapped[] | null {
  const found: Unwrapped[] = [];
  let i = 0;
  const at = (k: number): string => script.charAt(k);
  const restOfLine = (): string => {
    const end = script.indexOf('\n', i);
    const text = script.slice(i, end === -1 ? script.length : end);
    i = end === -1 ? script.length : end + 1;
    return text;
  };
  // Reads up to the next unescaped `delim`; false when it never comes.
  const skipDelimited = (delim: string): boolean => {
    while (i < script.length && at(i) !== delim) i += at(i) === '\\' ? 2 : 1;
    if (i >= script.length) return false;
    i += 1;
    return true;
  };
  const skipAddress = (): boolean => {
    if (/\d/.test(at(i))) {
      while (/[\d~]/.test(at(i))) i += 1;
    } else if (at(i) === '$') {
      i += 1;
    } else if (at(i) === '/' || at(i) === '\\') {
      const delim = at(i) === '\\' ? at(i + 1) : '/';
      i += at(i) === '\\' ? 2 : 1;
      if (!skipDelimited(delim)) return false;
      while (/[IM]/.test(at(i))) i += 1;
    }
    return true;
  };
  while (i < script.length) {
    while (/[\s;{}!]/.test(at(i))) i += 1;
    if (i >= script.length) break;
    if (!skipAddress()) return null;
    if (at(i) === ',') {
      i += 1;
      if (/[+~]/.test(at(i))) i += 1;
      if (!skipAddress()) return null;
    }
    while (/[\s!]/.test(at(i))) i += 1;
    const command = at(i);
    i += 1;
    if (command === '' || /[{};]/.test(command)) continue;
    if (command === '#' || /[aicrRwW:bTtvlqQL]/.test(command)) {
      if (/[bTt:vlqQL]/.test(command)) {
        // Labels and numbers end at `;` or a newline.
        while (i < script.length && !/[;\n}]/.test(at(i))) i += 1;
      } else {
        let text = restOfLine();
        // `a\`, `i\`, `c\` continue over lines that end in a backslash.
        while (/[aic]/.test(command) && text.endsWith('\\') && i < script.length)
          text = restOfLine();
      }
      continue;
    }
    if (command === 'e') {
      const line = restOfLine().trim();
      // Security: `e CMD` runs CMD through sh; a bare `e` runs the pattern space.
      found.push(
        line === ''
          ? { kind: 'dynamic', via: 'sed e' }
          : { kind: 'script', source: line, via: 'sed e' },
      );
      continue;
    }
    if (command === 's' || command === 'y') {
      const delim = at(i);
      if (delim === '' || delim === '\n' || delim === '\\') return null;
      i += 1;
      if (!skipDelimited(delim) || !skipDelimited(delim)) return null;
      if (command === 'y') continue;
      const flags = script.slice(i).match(/^[gpiImMe0-9]*/)?.[0] ?? '';
      i += flags.length;
      // Security: the `e` flag runs the pattern space after substitution as a command.
      if (flags.includes('e')) found.push({ kind: 'dynamic', via: 'sed s///e' });
      if (at(i) === 'w') restOfLine();
      continue;
    }
    if (/[=dDgGhHnNpPxzF]/.test(command)) continue;
    return null;
  }
  return found;
}

// `sed [opts] SCRIPT FILES` / `sed -e SCRIPT... -f FILE...`; GNU sed takes options after operands too.
export function unwrapSed(argv: readonly (string | null)[]): Unwrapped[] {
  const spec = {
    shortWithArg: 'efl',
    shortOptionalArg: 'i',
    shortFlags: 'nrEsuz',
    longWithArg: ['expression', 'file', 'line-length'],
    longFlags: [
      'quiet',
      'silent',
      'in-place',
      'regexp-extended',
      'separate',
      'unbuffered',
      'null-data',
      'posix',
      'debug',
      'sandbox',
      'follow-symlinks',
      'binary',
      'zero-terminated',
    ],
  };
  const { seen, operands } = scanPermutedOptions(argv, 1, spec);
  const scripts = [...(seen.get('e') ?? []), ...(seen.get('expression') ?? [])];
  const files = [...(seen.get('f') ?? []), ...(seen.get('file') ?? [])];
  const sandbox = seen.has('sandbox');
  // `--sandbox` makes sed refuse e, r and w.
  if (sandbox) return [];
  if (scripts.length === 0 && files.length === 0 && operands[0] !== undefined)
    scripts.push(operands[0]);
  const found: Unwrapped[] = [];
  // Security: a script file we cannot read could hold `e`; only a literal one is left to the kernel.
  if (files.some((file) => file === null || file === '-' || file.startsWith('/dev/')))
    found.push({ kind: 'dynamic', via: 'sed -f' });
  for (const script of scripts) {
    const inner = script === null ? null : scanSedScript(script);
    if (inner === null) found.push({ kind: 'dynamic', via: 'sed (unreadable script)' });
    else found.push(...inner);
  }
  return found;
}
