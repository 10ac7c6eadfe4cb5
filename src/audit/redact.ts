// Key names whose values are secrets whatever they hold.
const SECRET_KEY_PATTERN =
  /(pass(word|wd|phrase)?|secret|token|api[-_]?key|authorization|auth|cookie|credential|private[-_]?key|session[-_]?key)/i;

// Value shapes that are secrets wherever they appear (a token pasted into a command line, say).
const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bbst_[A-Za-z0-9_-]{16,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b([A-Za-z_]*(PASSWORD|SECRET|TOKEN|API_KEY)[A-Za-z_]*)=\S+/gi,
];

const MAX_STRING = 2048;

// Redact one string: known secret shapes become [REDACTED], very long strings are cut.
export function redactString(value: string): string {
  let out = value;
  for (const pattern of SECRET_VALUE_PATTERNS) out = out.replace(pattern, '[REDACTED]');
  if (out.length > MAX_STRING)
    out = `${out.slice(0, MAX_STRING)}…[${out.length - MAX_STRING} more chars]`;
  return out;
}

// Deep-copy a value for the audit log with secrets removed: secret-named keys lose their value,
// secret-shaped strings are masked, and `extraKeys` (from config) are treated as secret names.
export function redact(value: unknown, extraKeys: readonly string[] = [], depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redact(v, extraKeys, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const secretKey = SECRET_KEY_PATTERN.test(key) || extraKeys.includes(key);
      out[key] = secretKey ? '[REDACTED]' : redact(item, extraKeys, depth + 1);
    }
    return out;
  }
  return value;
}
