// The fields of a zod issue this module reads (zod 3 and 4 both carry them).
export interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: unknown;
  keys?: string[];
  values?: unknown[];
  errors?: Issue[][];
}

const MAX_ISSUES = 3;
const MAX_TEXT = 80;

const ARTICLE: Record<string, string> = {
  object: 'an object',
  record: 'an object',
  array: 'an array',
  int: 'an integer',
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

// What a value is, in the words of a validation message: "string", "array", "nothing".
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`))
    .join('');
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function expectedOf(issue: Issue): string | undefined {
  if (issue.code === 'invalid_type' && typeof issue.expected === 'string') {
    return ARTICLE[issue.expected] ?? issue.expected;
  }
  if (issue.code === 'invalid_value' && issue.values?.length === 1) {
    return clip(JSON.stringify(issue.values[0]) ?? String(issue.values[0]));
  }
  // A union of simple types at one place ("a string or an integer").
  if (issue.code === 'invalid_union' && issue.errors?.every((branch) => branch.length === 1)) {
    const parts = issue.errors.map((branch) => expectedOf(branch[0]!));
    if (parts.every((part) => part !== undefined)) return [...new Set(parts)].join(' or ');
  }
  return undefined;
}

function describeIssue(issue: Issue, root: unknown, skip: number): string {
  const where = formatPath(issue.path.slice(skip));
  const prefix = where ? `${where}: ` : '';
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const keys = issue.keys.map((key) => clip(JSON.stringify(key))).join(', ');
    return `${prefix}unexpected ${issue.keys.length > 1 ? 'keys' : 'key'} ${keys}`;
  }
  const expected = expectedOf(issue);
  if (expected !== undefined) {
    return `${prefix}expected ${expected}, got ${describeValue(valueAt(root, issue.path))}`;
  }
  return `${prefix}${clip(issue.message)}`;
}

// Validation issues as one short line ("arguments: expected an object, got string"), never a
// schema dump. `skip` drops leading path parts the reader does not need (e.g. "params").
export function describeIssues(issues: readonly Issue[], root: unknown, skip = 0): string {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => describeIssue(issue, root, skip));
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  return `${shown.join('; ')}${more}`;
}

// A zod error from any zod build (classic ZodError, core/mini $ZodError), recognised without
// importing zod's classes.
export function isZodError(err: unknown): err is Error & { issues: Issue[] } {
  return (
    err instanceof Error &&
    (err.name === 'ZodError' || err.name === '$ZodError') &&
    Array.isArray((err as { issues?: unknown }).issues)
  );
}
