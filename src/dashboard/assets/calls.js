// The latest calls: the table, its filters, and live records merged into it (an intent's row
// is completed by its outcome, matched by call id).
import { getJson } from './api.js';
import { byId, cell, formatArgs, formatTime } from './dom.js';

const MAX_ROWS = 200;
// As the hub's summary: longer names cannot be filtered on, and the choices stay few.
const MAX_NAME_CHARS = 64;
const MAX_CHOICES = 100;
const FILTERS = ['server', 'tool', 'decision'];

export function createCallList() {
  const rows = new Map();
  const known = { server: new Set(), tool: new Set() };
  const body = () => byId('calls-table').tBodies[0];

  const filters = () =>
    Object.fromEntries(FILTERS.map((kind) => [kind, byId(`filter-${kind}`).value]));

  const matches = (entry) => {
    const f = filters();
    return (
      (!f.server || entry.server === f.server) &&
      (!f.tool || entry.tool === f.tool) &&
      (!f.decision || entry.decision === f.decision)
    );
  };

  // A server or tool name seen (in the log or live) becomes a choice of its filter.
  const addOption = (kind, value) => {
    if (!value || known[kind].has(value)) return;
    if (value.length > MAX_NAME_CHARS || known[kind].size >= MAX_CHOICES) return;
    known[kind].add(value);
    const option = document.createElement('option');
    option.value = value;
    option.textContent = value;
    byId(`filter-${kind}`).append(option);
  };

  const fill = (tr, entry) => {
    tr.replaceChildren();
    tr.dataset.server = entry.server;
    tr.dataset.tool = entry.tool;
    tr.dataset.decision = entry.decision ?? '';
    cell(tr, formatTime(entry.time));
    cell(tr, entry.server);
    cell(tr, entry.tool, 'tool');
    cell(tr, entry.principal ?? '');
    cell(tr, entry.decision ?? '…', `decision ${entry.decision ?? 'pending'}`);
    cell(tr, entry.outcome ?? '');
    cell(tr, entry.durationMs === undefined ? '' : Math.round(entry.durationMs));
    cell(tr, formatArgs(entry.args), 'args');
  };

  const addRow = (entry, atTop) => {
    const tr = document.createElement('tr');
    fill(tr, entry);
    if (entry.call) {
      tr.dataset.call = entry.call;
      tr.dataset.entry = JSON.stringify(entry);
      rows.set(entry.call, tr);
    }
    const tbody = body();
    if (atTop) tbody.prepend(tr);
    else tbody.append(tr);
    while (tbody.rows.length > MAX_ROWS) {
      const old = tbody.rows[tbody.rows.length - 1];
      if (old.dataset.call) rows.delete(old.dataset.call);
      old.remove();
    }
  };

  return {
    addOption,
    filterKinds: FILTERS,
    // The newest calls matching the filters, from the log.
    async load() {
      const query = new URLSearchParams({ limit: String(MAX_ROWS) });
      for (const [key, value] of Object.entries(filters())) if (value) query.set(key, value);
      const { calls } = await getJson(`calls?${query}`);
      body().replaceChildren();
      rows.clear();
      for (const entry of calls) addRow(entry, false);
    },
    // One live record: a new row on top, or the outcome completing its intent's row.
    add(record) {
      addOption('server', record.server);
      addOption('tool', record.tool);
      const existing = record.call ? rows.get(record.call) : undefined;
      if (existing && record.phase === 'outcome') {
        const merged = { ...JSON.parse(existing.dataset.entry ?? '{}'), ...record };
        existing.dataset.entry = JSON.stringify(merged);
        if (matches(merged)) fill(existing, merged);
        else {
          existing.remove();
          rows.delete(record.call);
        }
      } else if (matches(record)) {
        addRow(record, true);
      }
    },
  };
}
