const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

function takeDigits(text: string, start: number, max: number, digit: RegExp): string {
  let end = start;
  while (end < text.length && end - start < max && digit.test(text.charAt(end))) end += 1;
  return text.slice(start, end);
}

// Decodes the body of a bash `$'...'` string exactly as bash does, so `$'\x72m'` reads as `rm`.
export function decodeAnsiC(body: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const ch = body.charAt(i);
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      i += 1;
      continue;
    }
    const next = body.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (/[0-7]/.test(next)) {
      const digits = takeDigits(body, i + 1, 3, /[0-7]/);
      out += String.fromCharCode(parseInt(digits, 8) & 0xff);
      i += 1 + digits.length;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const digits = takeDigits(
        body,
        i + 2,
        next === 'x' ? 2 : next === 'u' ? 4 : 8,
        /[0-9a-fA-F]/,
      );
      const code = digits.length > 0 ? parseInt(digits, 16) : Number.NaN;
      out += Number.isNaN(code) ? `\\${next}` : code <= 0x10ffff ? String.fromCodePoint(code) : '';
      i += 2 + digits.length;
    } else if (next === 'c' && i + 2 < body.length) {
      out += String.fromCharCode(body.charCodeAt(i + 2) & 0x1f);
      i += 3;
    } else {
      out += `\\${next}`;
      i += 2;
    }
  }
  // Security: bash cuts a $'...' string at the first NUL, so `$'rm\0x'` runs `rm`; do the same.
  const nul = out.indexOf('\0');
  return nul === -1 ? out : out.slice(0, nul);
}
