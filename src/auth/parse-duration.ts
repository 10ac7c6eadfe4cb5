import { InvalidInputError } from '../errors/index.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
// A hundred years: far beyond any sensible token lifetime, well inside Date's range.
const MAX_MS = 36_500 * UNIT_MS.d;

// `--expires 30d`: a token lifetime as a whole number of seconds, minutes, hours or days, in ms.
export function parseDuration(raw: string): number {
  const match = /^([1-9][0-9]{0,7})([smhd])$/.exec(raw);
  if (!match)
    throw new InvalidInputError(
      `expected a number followed by s, m, h or d (such as 30d, 12h, 15m, 90s), got ${JSON.stringify(raw)}`,
    );
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms > MAX_MS)
    throw new InvalidInputError(
      `expected a duration of at most 36500d, got ${JSON.stringify(raw)}`,
    );
  return ms;
}
