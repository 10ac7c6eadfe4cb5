import { InvalidInputError } from '../../errors/index.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

// Parses a CLI duration: `500ms`, `10s`, `2m`, or a bare number of seconds. Bounded to an hour so
// a typo cannot make `bastion stop` wait forever.
export function parseDuration(raw: string): number {
  const match = /^(\d{1,7}(?:\.\d{1,3})?)(ms|s|m)?$/.exec(raw.trim());
  const ms =
    match?.[1] === undefined
      ? NaN
      : Number(match[1]) * UNIT_MS[(match[2] as keyof typeof UNIT_MS | undefined) ?? 's'];
  if (!Number.isFinite(ms) || ms <= 0 || ms > 3_600_000)
    throw new InvalidInputError(
      `expected a duration such as 500ms, 10s or 2m (at most 60m), got ${JSON.stringify(raw)}`,
    );
  return Math.round(ms);
}

// Waits until `check` is true, polling every `intervalMs`, for at most `timeoutMs`. Returns
// whether it became true: every wait in the lifecycle commands is bounded.
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, deadline - Date.now())),
    );
  }
}
