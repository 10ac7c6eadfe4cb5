import { InvalidInputError } from '../../../errors/index.js';

// One replacement asked for by edit_file.
export interface TextEdit {
  oldText: string;
  newText: string;
}

function countExact(haystack: string, needle: string, stopAt: number): number {
  let count = 0;
  for (
    let at = haystack.indexOf(needle);
    at !== -1 && count < stopAt;
    at = haystack.indexOf(needle, at + 1)
  ) {
    count += 1;
  }
  return count;
}

// Start indexes of every window of lines equal to `oldLines` when leading/trailing whitespace is
// ignored (the official server's fallback), up to `stopAt`.
function findFlexible(
  contentLines: readonly string[],
  oldLines: readonly string[],
  stopAt: number,
): number[] {
  const found: number[] = [];
  const trimmedOld = oldLines.map((l) => l.trim());
  for (let i = 0; i + oldLines.length <= contentLines.length && found.length < stopAt; i += 1) {
    if (trimmedOld.every((line, j) => line === contentLines[i + j]?.trim())) found.push(i);
  }
  return found;
}

// Replace the matched lines, shifting the new text by the same indentation the file has over
// the oldText (the agent often quotes code de-indented), so every replaced line keeps its place.
function replaceFlexible(
  contentLines: string[],
  at: number,
  oldLines: readonly string[],
  newText: string,
): string {
  const fileIndent = (contentLines[at] ?? '').match(/^\s*/)?.[0] ?? '';
  const oldIndent = (oldLines[0] ?? '').match(/^\s*/)?.[0] ?? '';
  const shift = fileIndent.length - oldIndent.length;
  const newLines = newText.split('\n').map((line) => {
    if (line.trim() === '') return line;
    if (shift >= 0) return fileIndent.slice(0, shift) + line;
    const leading = line.match(/^\s*/)?.[0] ?? '';
    return line.slice(Math.min(leading.length, -shift));
  });
  contentLines.splice(at, oldLines.length, ...newLines);
  return contentLines.join('\n');
}

function describeEdit(index: number, oldText: string): string {
  const preview = oldText.length > 120 ? `${oldText.slice(0, 120)}...` : oldText;
  return `edits[${index}].oldText ${JSON.stringify(preview)}`;
}

// Apply edits in order. Each oldText must match exactly once (exactly, else line by line
// ignoring surrounding whitespace); zero or several matches is an error naming the edit.
export function applyEdits(content: string, edits: readonly TextEdit[]): string {
  let result = content;
  edits.forEach((edit, index) => {
    const oldText = edit.oldText.replace(/\r\n/g, '\n');
    const newText = edit.newText.replace(/\r\n/g, '\n');
    if (oldText.length === 0) {
      throw new InvalidInputError(
        `Expected edits[${index}].oldText to be non-empty text copied from the file, got "".`,
      );
    }
    const exact = countExact(result, oldText, 2);
    if (exact === 1) {
      result = result.replace(oldText, () => newText);
      return;
    }
    if (exact > 1) {
      throw new InvalidInputError(
        `${describeEdit(index, oldText)} matches several places; expected exactly one. Include more surrounding lines to make it unique. No edit was applied.`,
      );
    }
    const oldLines = oldText.split('\n');
    const contentLines = result.split('\n');
    const matches = findFlexible(contentLines, oldLines, 2);
    if (matches.length === 1 && matches[0] !== undefined) {
      result = replaceFlexible(contentLines, matches[0], oldLines, newText);
      return;
    }
    throw new InvalidInputError(
      matches.length > 1
        ? `${describeEdit(index, oldText)} matches several places (ignoring indentation); expected exactly one. Include more surrounding lines. No edit was applied.`
        : `${describeEdit(index, oldText)} was not found; expected text that appears exactly once in the file (exactly, or line by line ignoring leading/trailing whitespace). Read the file again and copy the current text. No edit was applied.`,
    );
  });
  return result;
}

// True when every line break is CRLF, so edits made in LF can be written back in CRLF.
export function usesCrlf(content: string): boolean {
  return content.includes('\r\n') && !/(^|[^\r])\n/.test(content);
}

// A git-style unified diff in a fence long enough not to be closed by the diff itself. The diff
// library loads on the first edit, not at server start (about 8 ms of cold start).
export async function formatDiff(
  displayPath: string,
  before: string,
  after: string,
): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const diff = createTwoFilesPatch(displayPath, displayPath, before, after, 'original', 'modified');
  let fence = '```';
  while (diff.includes(fence)) fence += '`';
  return `${fence}diff\n${diff}${fence}\n\n`;
}
