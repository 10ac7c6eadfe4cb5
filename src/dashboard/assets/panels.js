// The panels beside the call list: servers and audit health, error groups, the audit chain's
// verification, and recent changes with their Undo buttons.
import { API, csrf, getJson, post } from './api.js';
import { byId, cell, formatTime, showProblem } from './dom.js';

function emptyRow(body, text, columns) {
  const tr = document.createElement('tr');
  cell(tr, text, 'muted').colSpan = columns;
  body.append(tr);
}

export function renderServers(summary) {
  const body = byId('servers-table').tBodies[0];
  body.replaceChildren();
  for (const s of summary.servers) {
    const tr = document.createElement('tr');
    tr.dataset.server = s.name;
    cell(tr, s.name);
    cell(tr, s.state, s.state === 'serving' ? 'ok' : 'bad');
    cell(tr, s.sandbox ?? '-');
    cell(tr, s.sessions);
    cell(tr, s.calls);
    cell(tr, s.refusals);
    cell(tr, s.errors);
    body.append(tr);
  }
  const health = byId('audit-health');
  health.textContent = summary.audit.writable
    ? 'audit log: taking records'
    : 'audit log: cannot be written; calls are refused';
  health.className = summary.audit.writable ? 'state ok' : 'state bad';
}

export async function loadErrors() {
  const { groups } = await getJson('errors');
  const body = byId('errors-table').tBodies[0];
  body.replaceChildren();
  for (const g of groups) {
    const tr = document.createElement('tr');
    tr.dataset.errorClass = g.errorClass;
    cell(tr, g.errorClass);
    cell(tr, g.count);
    cell(tr, g.tools.join(', '));
    cell(tr, formatTime(g.last));
    body.append(tr);
  }
  if (groups.length === 0) emptyRow(body, 'no errors', 4);
}

// When the verification on display was made: answers can arrive out of order (the one asked
// at load may come back after a later "Verify now"), and an older one never replaces a newer.
let shownCheckedAt = '';

export async function loadVerify(fresh) {
  const v = await getJson(fresh ? 'verify?fresh=1' : 'verify');
  if (v.checkedAt) {
    if (v.checkedAt < shownCheckedAt) return;
    shownCheckedAt = v.checkedAt;
  }
  const target = byId('verify-state');
  const when = v.checkedAt ? ` (checked ${formatTime(v.checkedAt)})` : '';
  const counts =
    v.records === undefined
      ? ''
      : `: ${v.records} records, ${v.streams} streams, ${v.checkpoints} signed checkpoints${v.macsChecked ? ', MACs checked' : ''}`;
  target.textContent = `${v.state}${counts}${when}${v.firstProblem ? `; first problem: ${v.firstProblem}` : ''}`;
  target.className = `state ${v.state === 'not intact' ? 'bad' : 'ok'}`;
  target.dataset.state = v.state;
}

function describePaths(change) {
  return change.paths
    .map((p) => (p.movedTo ? `${p.path} → ${p.movedTo}` : `${p.path} (${p.before} → ${p.after})`))
    .join(', ');
}

// The changes panel. `canUndo` (from the summary) is false for a read-only token.
export function createChangesPanel() {
  let canUndo = false;
  const load = async () => {
    const { enabled, changes } = await getJson('changes');
    const body = byId('changes-table').tBodies[0];
    body.replaceChildren();
    for (const change of changes) {
      const tr = document.createElement('tr');
      tr.dataset.change = change.id;
      cell(tr, formatTime(change.time));
      cell(tr, change.undoes ? `${change.tool} (undoes ${change.undoes})` : change.tool);
      cell(tr, change.principal ?? 'local');
      cell(tr, describePaths(change), 'paths');
      const action = cell(tr, change.undoable ? '' : (change.reason ?? ''), 'muted');
      if (change.undoable && canUndo) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'undo';
        button.dataset.change = change.id;
        button.textContent = 'Undo';
        action.replaceChildren(button);
      }
      body.append(tr);
    }
    if (changes.length === 0)
      emptyRow(body, enabled ? 'no changes kept' : 'history is turned off', 5);
  };

  const undo = async (id, button) => {
    button.disabled = true;
    const result = byId('undo-result');
    try {
      const res = await post(`${API}changes/${encodeURIComponent(id)}/undo`, {
        headers: { 'x-bastion-csrf': csrf, accept: 'application/json' },
      });
      const body = await res.json();
      result.textContent = res.ok
        ? `Undid change ${body.undone}; the undo is change ${body.change.id}.`
        : `Undo refused: ${body.error}`;
      result.className = res.ok ? 'ok' : 'bad';
    } catch (err) {
      showProblem('undo-result', err);
    }
    await load().catch((err) => showProblem('undo-result', err));
  };

  byId('changes-table').addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button.undo') : null;
    if (button) void undo(button.dataset.change, button);
  });

  return {
    setCanUndo(value) {
      canUndo = value;
    },
    load,
  };
}
