import type { TokenInfo } from '../../auth/types.js';

const HEADER = ['NAME', 'SCOPES', 'ACCESS', 'CREATED', 'EXPIRES', 'LAST USED'] as const;

// One token's expiry as `token list` shows it: the time, and whether it has passed.
function formatExpiry(info: TokenInfo, nowMs: number): string {
  if (info.expiresAt === undefined) return 'never';
  return Date.parse(info.expiresAt) <= nowMs ? `${info.expiresAt} (expired)` : info.expiresAt;
}

// The `token list` table: names, scopes, access, times. Never a secret or hash (TokenInfo
// holds neither).
export function formatTokenTable(tokens: readonly TokenInfo[], nowMs: number): string {
  const rows = tokens.map((t) => [
    t.tokenName,
    t.servers.join(','),
    t.readOnly ? 'read-only' : 'read-write',
    t.createdAt,
    formatExpiry(t, nowMs),
    t.lastUsedAt ?? '-',
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [HEADER, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// `token list --json`: one object per line, as `audit query --json`, with `expired` spelled out.
export function formatTokenJson(info: TokenInfo, nowMs: number): string {
  const expired = info.expiresAt !== undefined && Date.parse(info.expiresAt) <= nowMs;
  return JSON.stringify({ ...info, expired });
}

// What `token create` and `rotate` say on stderr about the token whose secret went to stdout.
export function describeToken(info: TokenInfo): string {
  const parts = [info.servers.join(','), info.readOnly ? 'read-only' : 'read-write'];
  parts.push(info.expiresAt ? `expires ${info.expiresAt}` : 'never expires');
  return `${info.tokenName} (${parts.join(', ')})`;
}
