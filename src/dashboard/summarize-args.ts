// How much of an argument the dashboard shows: enough to recognise a call, never a whole file.
const MAX_STRING = 160;
const MAX_KEYS = 12;
const MAX_ITEMS = 8;
const MAX_DEPTH = 3;

// A bounded copy of tool arguments for display: long strings are cut (with their length),
// objects and arrays are cut to a few entries, deep nesting is elided. Arguments in the log are
// already scrubbed of secrets; this only bounds size (memory, the event stream, the page).
export function summarizeArgs(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.length <= MAX_STRING
      ? value
      : `${value.slice(0, MAX_STRING)}… (${value.length} chars)`;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => summarizeArgs(v, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… (${value.length} items)`);
    return items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries.slice(0, MAX_KEYS)) out[key] = summarizeArgs(v, depth + 1);
  if (entries.length > MAX_KEYS) out['…'] = `${entries.length - MAX_KEYS} more keys`;
  return out;
}
