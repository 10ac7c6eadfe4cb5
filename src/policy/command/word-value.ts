import type { Node } from 'web-tree-sitter';
import { decodeAnsiC } from './ansi-c.js';

// The value bash would give one word, or null when it depends on expansion at run time.
export interface WordValue {
  value: string | null;
  // Set when the word is dynamic only because of globs, braces or tilde: the shell pattern.
  pattern?: string;
}

const PATTERN_SPECIALS = /[*?[\]{}(),~\\]/g;

function escapePattern(text: string): string {
  return text.replace(PATTERN_SPECIALS, (c) => `\\${c}`);
}

// Unquoted text: backslash quotes the next character, backslash-newline disappears.
function unquotedPattern(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    const ch = raw.charAt(i);
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw.charAt(i + 1);
      if (next !== '\n') out += escapePattern(next);
      i += 1;
    } else {
      out += ch;
    }
  }
  return out;
}

// Inside "...": backslash quotes only $ ` " \ and newline.
function doubleQuotedText(raw: string): string {
  return raw.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

function stringPattern(node: Node): string | null {
  const inner = node.namedChildren;
  if (inner.some((child) => child !== null && child.type !== 'string_content')) return null;
  const text = node.text;
  const body =
    text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1) : text;
  // Security: tree-sitter leaves backticks in some strings as plain text; bash would run them.
  if (/(^|[^\\])`/.test(body)) return null;
  return escapePattern(doubleQuotedText(body));
}

function nodePattern(node: Node): string | null {
  switch (node.type) {
    case 'word':
      // Security: `$` followed by a name or bracket is an expansion even if not split out.
      if (/\$[\w{(@*#?$!'"[-]/.test(node.text)) return null;
      return unquotedPattern(node.text);
    case 'number':
      return /^[-+\w#@]+$/.test(node.text) ? escapePattern(node.text) : null;
    case 'raw_string':
      return escapePattern(node.text.slice(1, -1));
    case 'ansi_c_string':
      return escapePattern(decodeAnsiC(node.text.slice(2, -1)));
    case 'string':
      return stringPattern(node);
    case 'translated_string': {
      const inner = node.namedChildren[0];
      return inner ? nodePattern(inner) : null;
    }
    case 'concatenation': {
      let out = '';
      for (const child of node.children) {
        if (child === null) continue;
        const part = nodePattern(child);
        if (part === null) return null;
        out += part;
      }
      return out;
    }
    default:
      // Security: every other node (expansions, substitutions, arithmetic, extglob) is run-time.
      return null;
  }
}

function isGlobOrBrace(pattern: string): boolean {
  const unescaped = pattern.replace(/\\./g, '_');
  if (/[*?]/.test(unescaped)) return true;
  if (/\[[^\]]*\]/.test(unescaped)) return true;
  if (/[()]/.test(unescaped)) return true;
  if (/\{[^{}]*(,|\.\.)[^{}]*\}/.test(unescaped)) return true;
  return unescaped.startsWith('~');
}

function patternToLiteral(pattern: string): string {
  return pattern.replace(/\\(.)/gs, '$1');
}

// Unquotes a word the way bash would: r''m, "r"m, r\m, $'\x72m', $"rm" all give `rm`.
export function wordValue(node: Node): WordValue {
  const pattern = nodePattern(node);
  if (pattern === null) return { value: null };
  // Security: globs, brace expansion and tilde pick the command at run time (`/b?n/r?`, `{r,}m`).
  if (isGlobOrBrace(pattern)) return { value: null, pattern };
  return { value: patternToLiteral(pattern) };
}
