// Which options of a wrapper take a value, so the wrapped command is found at the right index.
export interface OptionSpec {
  // Short letters whose value is attached or the next word (`-n 5`, `-n5`).
  shortWithArg?: string;
  // Short letters whose value may only be attached (`xargs -i{}`, `-e`), never the next word.
  shortOptionalArg?: string;
  // Short letters that are known flags; any other letter is unknown.
  shortFlags?: string;
  longWithArg?: readonly string[];
  longFlags?: readonly string[];
  // Accept `-10` style numeric options (nice).
  numeric?: boolean;
}

// Where the options end, the values seen per option, and whether anything was not understood.
export interface OptionScan {
  index: number;
  seen: Map<string, (string | null)[]>;
  unknown: boolean;
}

function record(seen: Map<string, (string | null)[]>, key: string, value: string | null): void {
  const list = seen.get(key) ?? [];
  list.push(value);
  seen.set(key, list);
}

function scanLong(
  arg: string,
  args: readonly (string | null)[],
  i: number,
  spec: OptionSpec,
  scan: OptionScan,
): number {
  const eq = arg.indexOf('=');
  const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
  if (spec.longWithArg?.includes(name)) {
    if (eq !== -1) {
      record(scan.seen, name, arg.slice(eq + 1));
      return i + 1;
    }
    record(scan.seen, name, args[i + 1] ?? null);
    return i + 2;
  }
  if (!spec.longFlags?.includes(name)) scan.unknown = true;
  record(scan.seen, name, eq === -1 ? '' : arg.slice(eq + 1));
  return i + 1;
}

function scanShort(
  arg: string,
  args: readonly (string | null)[],
  i: number,
  spec: OptionSpec,
  scan: OptionScan,
): number {
  for (let j = 1; j < arg.length; j += 1) {
    const letter = arg.charAt(j);
    const rest = arg.slice(j + 1);
    if (spec.shortWithArg?.includes(letter)) {
      if (rest.length > 0) {
        record(scan.seen, letter, rest);
        return i + 1;
      }
      record(scan.seen, letter, args[i + 1] ?? null);
      return i + 2;
    }
    if (spec.shortOptionalArg?.includes(letter)) {
      record(scan.seen, letter, rest);
      return i + 1;
    }
    if (!spec.shortFlags?.includes(letter)) scan.unknown = true;
    record(scan.seen, letter, '');
  }
  return i + 1;
}

// Walks getopt-style options from `start`; stops at `--`, `-` or the first operand.
export function scanOptions(
  args: readonly (string | null)[],
  start: number,
  spec: OptionSpec,
): OptionScan {
  const scan: OptionScan = { index: start, seen: new Map(), unknown: false };
  let i = start;
  while (i < args.length) {
    const arg = args[i];
    // Security: a non-literal word where an option may stand could be the command itself.
    if (arg === null || arg === undefined) break;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (spec.numeric === true && /^-\d+$/.test(arg)) {
      i += 1;
      continue;
    }
    i = arg.startsWith('--')
      ? scanLong(arg, args, i, spec, scan)
      : scanShort(arg, args, i, spec, scan);
  }
  scan.index = i;
  return scan;
}

// Options and operands of a program whose getopt permutes them (GNU sed, util-linux script):
// options may follow operands until `--`.
export function scanPermutedOptions(
  args: readonly (string | null)[],
  start: number,
  spec: OptionSpec,
): { seen: Map<string, (string | null)[]>; operands: (string | null)[]; unknown: boolean } {
  const seen = new Map<string, (string | null)[]>();
  const operands: (string | null)[] = [];
  let unknown = false;
  let i = start;
  while (i < args.length) {
    const scan = scanOptions(args, i, spec);
    for (const [key, values] of scan.seen) for (const value of values) record(seen, key, value);
    unknown ||= scan.unknown;
    if (scan.index >= args.length) break;
    const end = args[scan.index - 1] === '--' && scan.index > i ? args.length : scan.index + 1;
    operands.push(...args.slice(scan.index, end));
    i = end;
  }
  return { seen, operands, unknown };
}
