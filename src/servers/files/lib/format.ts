// Listings up to this many entries are also written out as text in the familiar official format;
// bigger ones travel once, in structuredContent, with a short text summary.
export const INLINE_ENTRY_LIMIT = 200;

// Human-readable size, identical to the official server's formatSize.
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  if (bytes <= 0) return '0 B';
  const i = Math.floor(Math.log(bytes) / Math.log(1024));
  if (i <= 0) return `${bytes} B`;
  const unitIndex = Math.min(i, units.length - 1);
  return `${(bytes / Math.pow(1024, unitIndex)).toFixed(2)} ${units[unitIndex] ?? 'TB'}`;
}

// The sentence telling the agent how to get the next page.
export function continueHint(truncated: boolean, nextOffset: number | undefined): string {
  return truncated && nextOffset !== undefined
    ? ` Results are truncated; call again with offset=${nextOffset} for more.`
    : '';
}
