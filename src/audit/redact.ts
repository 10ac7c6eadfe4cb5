// Key names whose values are secrets whatever they hold.
const SECRET_KEY_PATTERN =
  /(pass(word|wd|phrase)?|secret|token|api[-_]?key|authorization|auth|cookie|credential|private[-_]?key|session[-_]?key)/i;

// Value shapes that are secrets wherever they appear (a token pasted into a command line, say).
// Each is [shape, replacement]; a replacement keeps the harmless part ($1) where there is one.
const SECRET_VALUE_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----|$)/g,
    '[REDACTED]',
  ],
  [/\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, '[REDACTED]'],
  [/\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{10,}/g, '[REDACTED]'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[REDACTED]'],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, '[REDACTED]'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/g, '[REDACTED]'],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, '[REDACTED]'],
  [/\bhf_[A-Za-z0-9]{30,}/g, '[REDACTED]'],
  [/\bAIza[0-9A-Za-z_-]{35}/g, '[REDACTED]'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, '[REDACTED]'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '[REDACTED]'],
  [/\bbst_[A-Za-z0-9_-]{16,}/g, '[REDACTED]'],
  // JSON Web Tokens (header.payload.signature).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[REDACTED]'],
  // Credentials in a URL: scheme://user:password@host keeps the user, loses the password.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, '$1[REDACTED]@'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '[REDACTED]'],
  // Credential headers whatever their scheme (curl -H "Authorization: token ...").
  [
    /\b((?:Proxy-)?Authorization|X-Api-Key|Api-Key|X-Auth-Token|Private-Token)\s*:\s*[^\r\n"']+/gi,
    '$1: [REDACTED]',
  ],
  // MySQL and MariaDB clients take the password glued to -p: mysql -uroot -pSECRET db.
  [
    /\b((?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n;|&]*?\s-p)(?=[^\s-])\S+/g,
    '$1[REDACTED]',
  ],
  // curl -u user:password and `config set <secret-name> <value>` (aws, npm, git).
  [/((?:^|\s)(?:-u|--user)\s+[^\s:]+:)\S+/g, '$1[REDACTED]'],
  [
    /\b(config(?:ure)?\s+set\s+\S*(?:secret|token|password|passwd|auth|key)\S*\s+)\S+/gi,
    '$1[REDACTED]',
  ],
  // Secret-named long options with a value: --password hunter2, --api-key=...
  [
    /(--?[A-Za-z-]*(?:password|passwd|passphrase|secret|token|api-?key|access-key)[A-Za-z-]*)(=|\s+)[^\s-]\S*/gi,
    '$1$2[REDACTED]',
  ],
  // Secret-named assignments in commands and config files: DB_PASS=..., password: ..., "token": "..."
  [
    /\b([A-Za-z_.-]*(?:PASSWORD|PASSWD|PASS|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Za-z_.-]*)(["']?\s*[:=]\s*)(?!\[REDACTED\])["']?[^\s"',;]+/gi,
    '$1$2[REDACTED]',
  ],
];

// A cheap pre-check: every pattern above needs one of these fragments, so a string without any
// (most paths and contents) skips the patterns entirely.
const MAY_MATCH =
  /-----BEGIN|[spr]k[-_]|gh[pousr]_|github_pat_|glpat-|npm_|hf_|AIza|xox|AKIA|bst_|eyJ|:\/\/|bearer|basic|auth|api-?key|private|-u\s|--user|config|pass|secret|token|key|credential|mysql|mariadb/i;

export const MAX_STRING = 2048;
const REDACTED = '[REDACTED]';
// Longer than any token shape the patterns know (PEM blocks match up to the end of the text).
const CUT_MARGIN = 256;

// Cut a very long string for the log, saying how much was cut.
export function truncateString(value: string, originalLength = value.length): string {
  return value.length > MAX_STRING
    ? `${value.slice(0, MAX_STRING)}…[${originalLength - MAX_STRING} more chars]`
    : value;
}

// Redact one string: known secret shapes and the given secret values become [REDACTED], very
// long strings are cut. Longer values go first so one that contains another is masked whole.
// Only a head of twice what is kept is searched: a 10 MB write costs what a 4 KB one does.
export function redactString(value: string, secretValues: readonly string[] = []): string {
  let out = value.length > MAX_STRING * 2 ? value.slice(0, MAX_STRING * 2) : value;
  for (const secret of secretValues)
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  if (MAY_MATCH.test(out))
    for (const [pattern, replacement] of SECRET_VALUE_PATTERNS)
      out = out.replace(pattern, replacement);
  if (value.length <= MAX_STRING * 2) return truncateString(out);
  // Security: a token cut in two at the end of the searched head may not match any pattern;
  // the last CUT_MARGIN characters of the head are dropped so no such half is kept.
  const kept = Math.min(MAX_STRING, out.length - CUT_MARGIN);
  return `${out.slice(0, kept)}…[${value.length - kept} more chars]`;
}

// Deep-copy a value for the audit log with secrets removed: secret-named keys lose their value,
// secret-shaped strings are masked, and `extraKeys` (from config) are treated as secret names.
export function redact(
  value: unknown,
  extraKeys: readonly string[] = [],
  depth = 0,
  secretValues: readonly string[] = [],
): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactString(value, secretValues);
  if (Array.isArray(value))
    return value.slice(0, 200).map((v) => redact(v, extraKeys, depth + 1, secretValues));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const secretKey = SECRET_KEY_PATTERN.test(key) || extraKeys.includes(key);
      out[redactString(key, secretValues)] = secretKey
        ? REDACTED
        : redact(item, extraKeys, depth + 1, secretValues);
    }
    return out;
  }
  return value;
}

// Environment variables whose names say they hold a secret; their values are masked wherever
// they appear in a record (a command that echoes $API_TOKEN, an output that prints it).
const SECRET_ENV_NAME = /key|token|secret|passw|credential/i;
// Shorter values would mask ordinary words and digits all over the log.
const MIN_SECRET_LENGTH = 6;

export function collectSecretEnvValues(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && SECRET_ENV_NAME.test(name)) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}
