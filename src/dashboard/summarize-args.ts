// How much of an argument the dashboard shows: enough to recognise a call, never a whole file.
const MAX_STRING = 160;
const MAX_KEYS = 12;
const MAX_ITEMS = 8;
const MAX_DEPTH = 3;
// Characters of keys and strings one summary may hold in all: the caps above alone still let
// 12 x 12 x 12 keys of 2 KB through (a 4 MB summary of one refused call).
const MAX_TOTAL = 2048;

function cut(text: string): string {
  return text.length <= MAX_STRING ? text : `${text.slice(0, MAX_STRING)}… (${text.length} chars)`;
}

// A bounded copy of tool arguments for display: long strings and keys are cut (with their
// length), objects and arrays are cut to a few entries, deep nesting is elided, and past a total
// budget the rest is elided. Arguments in the log are already scrubbed of secrets; this only
// bounds size (memory, the event stream, the page).
export function summarizeArgs(value: unknown): unknown {
  return summarize(value, 0, { left: MAX_TOTAL });
}

// Security: memory exhaustion. The page's view holds 20,000 records and every event stream
// gets each one; a client's arguments (keys included) must not set their size.
function summarize(value: unknown, depth: number, budget: { left: number }): unknown {
  if (typeof value === 'string') {
    const text = cut(value);
    budget.left -= text.length;
    return text;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const v of value.slice(0, MAX_ITEMS)) {
      if (budget.left <= 0) break;
      items.push(summarize(v, depth + 1, budget));
    }
    if (value.length > items.length) items.push(`… (${value.length} items)`);
    return items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [key, v] of entries.slice(0, MAX_KEYS)) {
    if (budget.left <= 0) break;
    const name = cut(key);
    budget.left -= name.length;
    out[name] = summarize(v, depth + 1, budget);
    kept += 1;
  }
  if (entries.length > kept) out['…'] = `${entries.length - kept} more keys`;
  return out;
}
