const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

// How much structure a JSON text holds: `values` counts containers and separators (an upper
// bound on the values JSON.parse would build), `depth` the deepest nesting. Counting stops once
// `values` passes `maxValues`. Text inside strings is skipped with indexOf, so a message holding
// one 50 MB string costs a few scans, not a loop over every character.
export interface JsonShape {
  values: number;
  depth: number;
  tooManyValues: boolean;
}

// Index of the quote closing a string whose body starts at `from`, or -1 when it never closes.
function endOfString(text: string, from: number): number {
  for (let at = from; ;) {
    const quote = text.indexOf('"', at);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (
      quote - backslashes - 1 >= from &&
      text.charCodeAt(quote - backslashes - 1) === BACKSLASH
    )
      backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

// Measure a JSON text before parsing it. Not a validator: invalid text gets a rough answer and
// JSON.parse has the last word on it.
export function measureJsonShape(text: string, maxValues: number): JsonShape {
  const structural = /["[\]{},]/g;
  let depth = 0;
  let deepest = 0;
  let values = 0;
  for (let match = structural.exec(text); match; match = structural.exec(text)) {
    const c = text.charCodeAt(match.index);
    if (c === QUOTE) {
      const end = endOfString(text, match.index + 1);
      if (end === -1) break;
      structural.lastIndex = end + 1;
      continue;
    }
    if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth += 1;
      values += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth -= 1;
    } else {
      values += 1;
    }
    // Security: stop before JSON.parse builds millions of tiny values ([{},{},...] costs ~20x
    // its text in objects) from one message.
    if (values > maxValues) return { values, depth: deepest, tooManyValues: true };
  }
  return { values, depth: deepest, tooManyValues: false };
}
