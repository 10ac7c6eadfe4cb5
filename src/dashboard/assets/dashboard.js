// The dashboard page's entry module, served by the hub itself (the CSP allows no other script):
// loads the panels, follows the audit records live over server-sent events, keeps them current.
import { API, csrf, getJson, postForm } from './api.js';
import { drawChart, countInSeries } from './chart.js';
import { createCallList } from './calls.js';
import { byId, showProblem } from './dom.js';
import { startLogin } from './login.js';
import { createChangesPanel, loadErrors, loadVerify, renderServers } from './panels.js';

// Error groups, changes and counters follow the records this long after a burst.
const REFRESH_DELAY_MS = 700;
const VERIFY_EVERY_MS = 60_000;

function startDashboard() {
  const calls = createCallList();
  const changes = createChangesPanel();
  const chart = byId('chart');
  let series = [];
  let refreshTimer;
  let changesDue = false;

  const renderSummary = (summary) => {
    renderServers(summary);
    changes.setCanUndo(summary.canUndo);
    for (const server of summary.filters.servers) calls.addOption('server', server);
    for (const tool of summary.filters.tools) calls.addOption('tool', tool);
    series = summary.series;
    drawChart(chart, series);
  };

  const refreshSide = async () => {
    const reloadChanges = changesDue;
    changesDue = false;
    await Promise.all([
      getJson('summary').then(renderSummary, (err) => showProblem('audit-health', err)),
      loadErrors().catch((err) => showProblem('audit-health', err)),
      reloadChanges ? changes.load().catch((err) => showProblem('undo-result', err)) : undefined,
    ]);
  };

  const onRecord = (record) => {
    calls.add(record);
    if (countInSeries(series, record)) drawChart(chart, series);
    // Only a finished files call that can change something, or an undo, can have added a change
    // to the history (a 'complete' record is a call that changes nothing).
    if (
      record.phase !== 'intent' &&
      record.phase !== 'complete' &&
      (record.server === 'files' || record.server === 'history')
    )
      changesDue = true;
    if (refreshTimer !== undefined) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      void refreshSide();
    }, REFRESH_DELAY_MS);
  };

  const connectLive = () => {
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
  };

  byId('logout-form').addEventListener('submit', (event) => {
    event.preventDefault();
    postForm('/dashboard/logout', { csrf }).then(
      () => window.location.assign('/dashboard'),
      (err) => showProblem('live-state', err),
    );
  });
  for (const kind of calls.filterKinds)
    byId(`filter-${kind}`).addEventListener('change', () => {
      calls.load().catch((err) => showProblem('live-state', err));
    });
  byId('verify-now').addEventListener('click', () => {
    loadVerify(true).catch((err) => showProblem('verify-state', err));
  });

  connectLive();
  getJson('summary')
    .then((summary) => {
      renderSummary(summary);
      return Promise.all([calls.load(), loadErrors(), changes.load()]);
    })
    .catch((err) => showProblem('live-state', err));
  loadVerify(false).catch((err) => showProblem('verify-state', err));
  setInterval(() => {
    loadVerify(false).catch((err) => showProblem('verify-state', err));
  }, VERIFY_EVERY_MS);
}

// A module runs once the document is parsed (modules are deferred).
if (byId('login-form')) startLogin();
else startDashboard();
