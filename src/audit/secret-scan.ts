import { MAX_STRING } from './redact.js';

// secretlint's core and its recommended preset: the maintained rule set (cloud keys, tokens of
// the common services, private keys, credentials in connection strings and URLs). Loaded on the
// first value that passes the keyword pre-check, not at start: most servers start, list their
// tools and serve many calls before any argument looks like a secret (about 20 ms of cold start).
// The scan is awaited before the record is written either way; import() caches the modules.
async function loadRuleSet() {
  const [{ lintSource }, { creator }] = await Promise.all([
    import('@secretlint/core'),
    import('@secretlint/secretlint-rule-preset-recommend'),
  ]);
  const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: creator }] };
  return { lintSource, config };
}

// A cheap pre-check: every rule of the preset looks for one of these fragments (the prefixes of
// the token formats it knows, URL credentials, PEM armour). Text with none of them is not run
// through the rule set, which costs about 0.2 ms per value.
const KEYWORDS =
  /-----BEGIN|A(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA)|aws|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|cbt|soat|ptt|ft|imt|agent|oas|wt)-|xox[abposre]-|hooks\.slack|s[kr]-|[sr]k_(?:live|test)_|npm_|hf_|AIza|ya29\.|:\/\/[^\s/@]*:|SG\.|shp(?:at|ss|ca|pa)_|dapi|hvs\.|hvb\.|tskey-|figd_|gsk_|lin_api_|secret_|ntn_|vercel|dckr_pat_|glsa_|glc_|sk-ant-|_auth/i;

// Whether a string might hold a secret the rule set knows.
export function mayHoldSecret(text: string): boolean {
  return KEYWORDS.test(text);
}

// Mask what the rule set finds in one string.
async function scanString(text: string): Promise<string> {
  // Only what can reach the log is scanned: longer strings are cut there anyway.
  const content = text.length > MAX_STRING * 2 ? text.slice(0, MAX_STRING * 2) : text;
  if (!mayHoldSecret(content)) return text;
  const { lintSource, config } = await loadRuleSet();
  const result = await lintSource({
    source: { content, filePath: 'audit-value.txt', ext: '.txt', contentType: 'text' },
    options: { config, noPhysicFilePath: true },
  });
  if (result.messages.length === 0) return text;
  const ranges = result.messages.map((m) => m.range).sort((a, b) => b[0] - a[0]);
  let out = content;
  let limit = content.length;
  for (const [start, end] of ranges) {
    if (start >= limit) continue;
    out = `${out.slice(0, start)}[REDACTED]${out.slice(Math.min(end, limit))}`;
    limit = start;
  }
  // A cut string stays cut: its unscanned rest never reaches the log.
  return out;
}

// Deep-copy a value with every string passed through the maintained rule set.
export async function scanForSecrets<T>(value: T, depth = 0): Promise<T> {
  if (depth > 8) return value;
  if (typeof value === 'string') return (await scanString(value)) as T;
  if (Array.isArray(value))
    return (await Promise.all(value.slice(0, 200).map((v) => scanForSecrets(v, depth + 1)))) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = await scanForSecrets(item, depth + 1);
    return out as T;
  }
  return value;
}
