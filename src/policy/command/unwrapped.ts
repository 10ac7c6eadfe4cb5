import type { Language } from './inline-code.js';
import type { HazardKind } from './types.js';

// What a wrapper or interpreter would run, found from its argv alone.
export type Unwrapped =
  // Another command, its argv as literal words (null = not literal).
  | { kind: 'command'; argv: (string | null)[]; via: string }
  // A shell string to parse again (`sh -c`, `eval`, `watch`); null when not literal.
  | { kind: 'script'; source: string | null; via: string }
  // A shell that reads its script from stdin or from a file we cannot see ahead of time.
  // `language` is set when stdin is read as that language's code rather than as shell;
  // `repl` when it is an interactive loop (a session checks each input it is sent).
  | { kind: 'stdin-script'; via: string; language?: Language; repl?: boolean }
  // Something runs but what is unknowable (unknown wrapper option, non-literal spawn in code).
  | { kind: 'dynamic'; via: string; words?: string[] }
  // Text bash expands again later like a double-quoted string (stored code: `x='a[$(rm y)]'`).
  | { kind: 'expanded-text'; text: string; via: string }
  // A construct refused under strict mode whatever it names (see HazardKind).
  | { kind: 'hazard'; hazard: HazardKind; via: string };

// The wrapped part of argv after `index`: a command, or dynamic when the scan was unsure.
export function wrappedCommand(
  argv: readonly (string | null)[],
  index: number,
  unknownOption: boolean,
  via: string,
): Unwrapped[] {
  const rest = argv.slice(index);
  if (rest.length === 0) return unknownOption ? [{ kind: 'dynamic', via }] : [];
  const found: Unwrapped[] = [{ kind: 'command', argv: rest, via }];
  // Security: an option we do not know may take a value, so the real command could be elsewhere.
  if (unknownOption) found.push({ kind: 'dynamic', via: `${via} (unknown option)` });
  return found;
}
