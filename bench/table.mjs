import os from 'node:os';

// What the numbers were measured on; printed above the table and stored with the results.
export function machineInfo(loadAtStart = os.loadavg()) {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    // Other work on the machine skews latencies; the 1-minute load average says how busy it was.
    load1m: { start: round2(loadAtStart[0]), end: round2(os.loadavg()[0]) },
  };
}

function round2(n) {
  return Math.round(n * 100) / 100;
}

function formatValue(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (unit === 'bytes') {
    if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
    return `${(value / 1024).toFixed(1)} KiB`;
  }
  if (unit === 'count') return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const digits = abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

function formatRatio(a, b) {
  if (a === null || b === null || a === undefined || b === undefined || b === 0) return '—';
  const r = a / b;
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}×`;
}

// The results as a markdown table (metric | Bastion | official/DC | floor | ratios) plus notes.
export function renderMarkdown(results) {
  const m = results.machine;
  const lines = [
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.date}, ` +
      `load average (1 min) ${m.load1m.start} at start, ${m.load1m.end} at end` +
      `${results.quick ? ' — QUICK sizes, not comparable to the full run' : ''}`,
    '',
    '| metric | Bastion | official / DC | bare SDK server | floor (find/rg/bare) | ratio Bastion/anchor | ratio Bastion/bare SDK | ratio Bastion/floor |',
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
  ];
  let section = null;
  const notes = [];
  for (const row of results.rows) {
    if (row.section !== section) {
      section = row.section;
      const anchor =
        section === 'files'
          ? 'vs official filesystem server'
          : section === 'audit'
            ? 'audit on vs off'
            : section === 'hub'
              ? 'vs bare SDK Streamable HTTP server'
              : section === 'history'
                ? 'history on vs off (floor column)'
                : 'vs Desktop Commander';
      lines.push(`| **${section}** (${anchor}) | | | | | | | |`);
    }
    const noRatio = row.id.endsWith('_overhead');
    const floor =
      row.floor === null ? '—' : `${formatValue(row.floor, row.unit)} (${row.floorTool})`;
    const bare =
      row.bare === null || row.bare === undefined ? '—' : formatValue(row.bare, row.unit);
    lines.push(
      `| ${row.metric} | ${formatValue(row.bastion, row.unit)} | ${formatValue(row.anchor, row.unit)} | ${bare} | ${floor} | ` +
        `${noRatio ? '—' : formatRatio(row.bastion, row.anchor)} | ${noRatio ? '—' : formatRatio(row.bastion, row.bare)} | ${noRatio ? '—' : formatRatio(row.bastion, row.floor)} |`,
    );
    if (row.goal) notes.push(`${row.metric}: goal ${row.goal}${goalVerdict(row)}`);
    for (const note of row.notes) notes.push(`${row.metric}: ${note}`);
  }
  if (notes.length > 0) lines.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

function goalVerdict(row) {
  if (row.bastion === null) return ' — not measured';
  if (typeof row.met === 'boolean') return row.met ? ' — met' : ' — MISSED';
  if (row.id.endsWith('_overhead')) return row.bastion < 10 ? ' — met' : ' — MISSED';
  if (row.id.endsWith('_p50') && row.section === 'shell')
    return row.anchor === null ? '' : row.bastion < row.anchor ? ' — met' : ' — MISSED';
  return '';
}
