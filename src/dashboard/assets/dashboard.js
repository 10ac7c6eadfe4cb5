// The dashboard page's script, served by the hub itself (the CSP allows no other script). It
// builds every row with textContent, never markup: audit data (paths, commands) is text.
'use strict';

(() => {
  const API = '/dashboard/api/';
  const MAX_ROWS = 200;
  const BUCKET_MS = 60_000;
  const csrf = document.querySelector('meta[name="bastion-csrf"]')?.getAttribute('content') ?? '';
  const byId = (id) => document.getElementById(id);
  const state = {
    series: [],
    canUndo: false,
    rows: new Map(),
    known: { server: new Set(), tool: new Set() },
    refreshTimer: undefined,
    changesDue: false,
  };

  function filters() {
    return {
      server: byId('filter-server').value,
      tool: byId('filter-tool').value,
      decision: byId('filter-decision').value,
    };
  }

  async function getJson(path) {
    const res = await fetch(API + path, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (res.status === 401) {
      window.location.assign('/dashboard');
      throw new Error('signed out');
    }
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }

  function cell(tr, text, className) {
    const td = document.createElement('td');
    td.textContent = text === undefined || text === null ? '' : String(text);
    if (className) td.className = className;
    tr.append(td);
    return td;
  }

  function formatTime(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
  }

  function formatArgs(args) {
    if (args === undefined) return '';
    const text = JSON.stringify(args);
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  }

  function showProblem(where, err) {
    const target = byId(where);
    if (target) target.textContent = `could not load: ${err instanceof Error ? err.message : err}`;
  }

  // Servers, audit health and the chart series.
  function renderSummary(summary) {
    state.canUndo = summary.canUndo;
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
    for (const server of summary.filters.servers) addOption('server', server);
    for (const tool of summary.filters.tools) addOption('tool', tool);
    state.series = summary.series;
    drawChart();
  }

  function addOption(kind, value) {
    if (!value || state.known[kind].has(value)) return;
    state.known[kind].add(value);
    const option = document.createElement('option');
    option.value = value;
    option.textContent = value;
    byId(`filter-${kind}`).append(option);
  }

  function cssColor(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // Bars per minute: calls behind, refusals in front.
  function drawChart() {
    const canvas = byId('chart');
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const { width, height } = canvas;
    const points = state.series;
    ctx.clearRect(0, 0, width, height);
    const left = 32;
    const bottom = height - 18;
    const max = Math.max(1, ...points.map((p) => p.calls));
    const slot = (width - left) / Math.max(1, points.length);
    ctx.fillStyle = cssColor('--muted', '#666');
    ctx.font = '11px sans-serif';
    ctx.fillText(String(max), 2, 12);
    ctx.fillText('0', 2, bottom);
    ctx.strokeStyle = cssColor('--grid', '#ccc');
    ctx.beginPath();
    ctx.moveTo(left, bottom + 0.5);
    ctx.lineTo(width, bottom + 0.5);
    ctx.stroke();
    points.forEach((p, i) => {
      const x = left + i * slot + 1;
      const w = Math.max(1, slot - 2);
      const callsH = ((bottom - 4) * p.calls) / max;
      const refusalsH = ((bottom - 4) * p.refusals) / max;
      ctx.fillStyle = cssColor('--calls', '#3b6ea5');
      ctx.fillRect(x, bottom - callsH, w, callsH);
      ctx.fillStyle = cssColor('--refusals', '#c0392b');
      ctx.fillRect(x, bottom - refusalsH, w, refusalsH);
    });
    const first = points[0];
    const last = points[points.length - 1];
    ctx.fillStyle = cssColor('--muted', '#666');
    if (first) ctx.fillText(formatTime(first.t), left, height - 4);
    if (last) ctx.fillText(formatTime(last.t), width - 60, height - 4);
  }

  // One live record counted into the chart: a call once (its intent, or its only record), a
  // refusal when its decision says deny.
  function countInChart(record) {
    const time = Date.parse(record.time);
    if (Number.isNaN(time) || state.series.length === 0) return;
    const bucket = Math.floor(time / BUCKET_MS) * BUCKET_MS;
    let last = state.series[state.series.length - 1];
    while (Date.parse(last.t) < bucket) {
      state.series.shift();
      last = { t: new Date(Date.parse(last.t) + BUCKET_MS).toISOString(), calls: 0, refusals: 0 };
      state.series.push(last);
    }
    const point = state.series.find((p) => Date.parse(p.t) === bucket);
    if (!point) return;
    if (record.phase !== 'outcome') point.calls += 1;
    if (record.decision === 'deny') point.refusals += 1;
    drawChart();
  }

  function matches(entry) {
    const f = filters();
    return (
      (!f.server || entry.server === f.server) &&
      (!f.tool || entry.tool === f.tool) &&
      (!f.decision || entry.decision === f.decision)
    );
  }

  function fillCallRow(tr, entry) {
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
  }

  function addCallRow(entry, atTop) {
    const body = byId('calls-table').tBodies[0];
    const tr = document.createElement('tr');
    fillCallRow(tr, entry);
    if (entry.call) {
      tr.dataset.call = entry.call;
      tr.dataset.entry = JSON.stringify(entry);
      state.rows.set(entry.call, tr);
    }
    if (atTop) body.prepend(tr);
    else body.append(tr);
    while (body.rows.length > MAX_ROWS) {
      const old = body.rows[body.rows.length - 1];
      if (old.dataset.call) state.rows.delete(old.dataset.call);
      old.remove();
    }
  }

  async function loadCalls() {
    const f = filters();
    const query = new URLSearchParams({ limit: String(MAX_ROWS) });
    for (const [key, value] of Object.entries(f)) if (value) query.set(key, value);
    const { calls } = await getJson(`calls?${query}`);
    byId('calls-table').tBodies[0].replaceChildren();
    state.rows.clear();
    for (const entry of calls) addCallRow(entry, false);
  }

  function onRecord(record) {
    addOption('server', record.server);
    addOption('tool', record.tool);
    countInChart(record);
    const existing = record.call ? state.rows.get(record.call) : undefined;
    if (existing && record.phase === 'outcome') {
      const merged = { ...JSON.parse(existing.dataset.entry ?? '{}'), ...record };
      existing.dataset.entry = JSON.stringify(merged);
      if (matches(merged)) fillCallRow(existing, merged);
      else {
        existing.remove();
        state.rows.delete(record.call);
      }
    } else if (matches(record)) {
      addCallRow(record, true);
    }
    // Only a finished files call or an undo can have added a change to the history.
    if (record.phase !== 'intent' && (record.server === 'files' || record.server === 'history'))
      state.changesDue = true;
    scheduleRefresh();
  }

  // Error groups, changes and server counters follow the records, a moment after a burst.
  function scheduleRefresh() {
    if (state.refreshTimer !== undefined) return;
    state.refreshTimer = setTimeout(() => {
      state.refreshTimer = undefined;
      void refreshSide();
    }, 700);
  }

  async function refreshSide() {
    const changes = state.changesDue;
    state.changesDue = false;
    await Promise.all([
      getJson('summary').then(renderSummary, (err) => showProblem('audit-health', err)),
      loadErrors().catch((err) => showProblem('audit-health', err)),
      changes ? loadChanges().catch((err) => showProblem('undo-result', err)) : undefined,
    ]);
  }

  async function loadErrors() {
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
    if (groups.length === 0) {
      const tr = document.createElement('tr');
      cell(tr, 'no errors', 'muted').colSpan = 4;
      body.append(tr);
    }
  }

  function describePaths(change) {
    return change.paths
      .map((p) => (p.movedTo ? `${p.path} → ${p.movedTo}` : `${p.path} (${p.before} → ${p.after})`))
      .join(', ');
  }

  async function loadChanges() {
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
      if (change.undoable && state.canUndo) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'undo';
        button.dataset.change = change.id;
        button.textContent = 'Undo';
        action.replaceChildren(button);
      }
      body.append(tr);
    }
    if (changes.length === 0) {
      const tr = document.createElement('tr');
      cell(tr, enabled ? 'no changes kept' : 'history is turned off', 'muted').colSpan = 5;
      body.append(tr);
    }
  }

  // A POST the hub accepts: the page's pages are served with Referrer-Policy no-referrer, under
  // which the browser would send `Origin: null`; this request alone asks for same-origin, so it
  // names the hub's origin (sent to the hub only), which the hub's Origin check requires.
  function post(url, init) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      referrerPolicy: 'same-origin',
      ...init,
    });
  }

  function postForm(url, fields) {
    return post(url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async function undo(id, button) {
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
    await loadChanges().catch((err) => showProblem('undo-result', err));
  }

  async function loadVerify(fresh) {
    const v = await getJson(fresh ? 'verify?fresh=1' : 'verify');
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

  function connectLive() {
    const live = byId('live-state');
    const source = new EventSource(`${API}events`);
    source.addEventListener('ready', () => {
      live.textContent = 'live';
      live.className = 'state ok';
      live.dataset.live = 'true';
    });
    source.addEventListener('record', (event) => {
      try {
        onRecord(JSON.parse(event.data));
      } catch (err) {
        showProblem('live-state', err);
      }
    });
    source.addEventListener('busy', () => {
      live.textContent = 'too many dashboards open; showing what was loaded';
      source.close();
    });
    source.addEventListener('error', () => {
      live.dataset.live = 'false';
      live.textContent = 'reconnecting…';
      live.className = 'state bad';
      // A closed stream after a refusal: the session may have ended (a 401 sends to sign-in).
      if (source.readyState === EventSource.CLOSED)
        getJson('summary').then(
          () => setTimeout(connectLive, 2000),
          () => undefined,
        );
    });
  }

  function showLoginMessage(text) {
    let message = byId('login-message');
    if (!message) {
      message = document.createElement('p');
      message.id = 'login-message';
      message.className = 'message';
      message.setAttribute('role', 'alert');
      byId('login-form').before(message);
    }
    message.textContent = text;
  }

  // The sign-in page: the token is posted in the body; the hub answers with the session cookie.
  function startLogin() {
    byId('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      postForm('/dashboard/login', { token: byId('token').value }).then(
        (res) => {
          if (res.ok) window.location.assign('/dashboard');
          else
            showLoginMessage(
              res.status === 429
                ? 'Too many sign-in attempts; retry later.'
                : 'That token is not accepted here: it is unknown, revoked or expired, or lacks the dashboard scope.',
            );
        },
        () => showLoginMessage('The hub did not answer.'),
      );
    });
  }

  function start() {
    byId('logout-form').addEventListener('submit', (event) => {
      event.preventDefault();
      postForm('/dashboard/logout', { csrf }).then(
        () => window.location.assign('/dashboard'),
        (err) => showProblem('live-state', err),
      );
    });
    connectLive();
    for (const kind of ['server', 'tool', 'decision'])
      byId(`filter-${kind}`).addEventListener('change', () => {
        loadCalls().catch((err) => showProblem('live-state', err));
      });
    byId('verify-now').addEventListener('click', () => {
      loadVerify(true).catch((err) => showProblem('verify-state', err));
    });
    byId('changes-table').addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button.undo') : null;
      if (button) void undo(button.dataset.change, button);
    });
    getJson('summary')
      .then((summary) => {
        renderSummary(summary);
        return Promise.all([loadCalls(), loadErrors(), loadChanges()]);
      })
      .catch((err) => showProblem('live-state', err));
    loadVerify(false).catch((err) => showProblem('verify-state', err));
    setInterval(() => {
      loadVerify(false).catch((err) => showProblem('verify-state', err));
    }, 60_000);
  }

  document.addEventListener('DOMContentLoaded', () => {
    if (byId('login-form')) startLogin();
    else start();
  });
})();
