import type { Node } from 'web-tree-sitter';

const QUOTED_DELIMITER = /['"\\]/;

// Backtick substitutions in text tree-sitter left unparsed (heredoc bodies); null if unbalanced.
export function findBacktickScripts(text: string): string[] | null {
  const scripts: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch !== '`') {
      i += 1;
      continue;
    }
    let j = i + 1;
    while (j < text.length && text.charAt(j) !== '`') j += text.charAt(j) === '\\' ? 2 : 1;
    if (j >= text.length) return null;
    scripts.push(text.slice(i + 1, j).replace(/\\([`$\\])/g, '$1'));
    i = j + 1;
  }
  return scripts;
}

// A heredoc's body as the reading program sees it, or null when it expands at run time.
export interface HeredocText {
  text: string | null;
  quoted: boolean;
}

// `<<'EOF'` bodies are literal; `<<EOF` bodies expand $vars, $( ) and backticks first.
export function heredocText(redirect: Node): HeredocText {
  const start = redirect.children.find((c) => c?.type === 'heredoc_start');
  const body = redirect.children.find((c) => c?.type === 'heredoc_body');
  const quoted = start !== undefined && start !== null && QUOTED_DELIMITER.test(start.text);
  if (body === undefined || body === null) return { text: '', quoted };
  if (quoted) return { text: body.text, quoted };
  const expands = body.namedChildren.some((c) => c !== null && c.type !== 'heredoc_content');
  if (expands || /(^|[^\\])`/.test(body.text)) return { text: null, quoted };
  return { text: body.text.replace(/\\([$`\\])/g, '$1').replace(/\\\n/g, ''), quoted };
}

// The text of an unquoted heredoc body outside the expansions tree-sitter parsed.
export function unparsedHeredocText(body: Node): string {
  let text = body.text;
  const offset = body.startIndex;
  for (const child of body.namedChildren) {
    if (child === null || child.type === 'heredoc_content') continue;
    const from = child.startIndex - offset;
    const to = child.endIndex - offset;
    text = text.slice(0, from) + ' '.repeat(Math.max(0, to - from)) + text.slice(to);
  }
  return text;
}
