// Hub rows: `read_text_file` on a 1 KiB file over Streamable HTTP on loopback, the real hub
// (tokens, Host/Origin checks, rate limits set out of reach, audit on) against the bare SDK
// server (plain fs, nothing else), with SDK clients of both protocol eras; calls per second and
// p50/p99 at 1 and 32 concurrent sessions, the time to open 32 sessions, and the hub's RSS with
// them open. The two take turns in rounds of a fixed number of calls (hub, bare, bare, hub, ...),
// so load drifting on a shared machine falls on both alike.
import { mkdirSync, rmSync } from 'node:fs';
import {
  closeHttpClients,
  createHubToken,
  openHttpClients,
  prepareHubHome,
  readRssKb,
  startBareHttpProcess,
  startHubProcess,
} from './hub-processes.mjs';
import { textOf } from './mcp-client.mjs';
import { addNote, errorMessage, makeRow, measureCell } from './measure.mjs';
import { median, percentile, runPool } from './stats.mjs';

const SETTINGS = {
  full: { rounds: 8, perRound: { 1: 250, 32: 1600 }, warmup: 200, opens: 5, rowBudgetMs: 120_000 },
  quick: { rounds: 4, perRound: { 1: 60, 32: 320 }, warmup: 50, opens: 3, rowBudgetMs: 40_000 },
};
const SESSIONS = 32;
const CALL_TIMEOUT_MS = 30_000;
const EXPECTED = 'x'.repeat(1023);
const SIDES = ['hub', 'bare'];

// One read of the 1 KiB file; a refusal, an error result or a wrong text is an error.
async function readOnce(session, file) {
  const result = await session.client.callTool(
    { name: 'read_text_file', arguments: { path: file } },
    { timeout: CALL_TIMEOUT_MS, maxTotalTimeout: CALL_TIMEOUT_MS },
  );
  if (result.isError || !textOf(result).includes(EXPECTED))
    throw new Error(`unexpected result: ${textOf(result).slice(0, 200)}`);
}

// Calls from every session at once (one worker per session), errors counted instead of thrown.
function callLoop(file, tally) {
  return (clients) => async (_i, worker) => {
    try {
      await readOnce(clients[worker % clients.length], file);
    } catch (err) {
      tally.errors += 1;
      tally.lastError = errorMessage(err);
    }
  };
}

// Rounds of `perRound` calls, the sides taking turns (the first side alternates each round).
async function runRounds(s, clientsBySide, file, concurrency) {
  const out = Object.fromEntries(
    SIDES.map((side) => [side, { latencies: [], calls: 0, wallMs: 0, rates: [], errors: 0 }]),
  );
  const perRound = s.perRound[concurrency];
  const budget = s.rowBudgetMs / s.rounds / SIDES.length;
  for (const side of SIDES) {
    const loop = callLoop(file, out[side])(clientsBySide[side]);
    await runPool(s.warmup, concurrency, budget, loop);
  }
  for (let round = 0; round < s.rounds; round++) {
    const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const side of order) {
      const tally = out[side];
      const pool = await runPool(
        perRound,
        concurrency,
        budget,
        callLoop(file, tally)(clientsBySide[side]),
      );
      tally.latencies.push(...pool.latencies);
      tally.calls += pool.latencies.length;
      tally.wallMs += pool.wallMs;
      tally.rates.push((pool.latencies.length / pool.wallMs) * 1000);
    }
  }
  return out;
}

// The three rows of one leg (calls/s, p50, p99), filled from its rounds.
function fillLeg(rows, leg, result, s) {
  const hub = result.hub;
  const bare = result.bare;
  const rate = (t) => (t.wallMs > 0 ? (t.calls / t.wallMs) * 1000 : null);
  rows.rate.bastion = rate(hub);
  rows.rate.bare = rate(bare);
  rows.rate.met = rows.rate.bastion !== null && rows.rate.bastion >= 0.9 * rows.rate.bare;
  const roundRatios = hub.rates.map((r, i) => r / bare.rates[i]);
  if (roundRatios.length > 0)
    addNote(
      rows.rate,
      `hub/bare per round: ${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}× over ${roundRatios.length} rounds of ${s.perRound[leg.concurrency]} calls`,
    );
  for (const [key, p] of [
    ['p50', 50],
    ['p99', 99],
  ]) {
    rows[key].bastion = percentile(hub.latencies, p);
    rows[key].bare = percentile(bare.latencies, p);
  }
  rows.p99.met = rows.p99.bastion !== null && rows.p99.bastion <= 1.1 * rows.p99.bare;
  for (const side of SIDES) {
    const t = result[side];
    const expected = s.rounds * s.perRound[leg.concurrency];
    if (t.calls < expected)
      addNote(rows.rate, `${side}: only ${t.calls} of ${expected} calls within the budget`);
    if (t.errors > 0) addNote(rows.rate, `${side}: ${t.errors} errors (last: ${t.lastError})`);
  }
}

export async function runHubWorkload({ repoRoot, workDir, quick, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const rows = [];
  const row = (...args) => {
    const r = makeRow('hub', ...args);
    rows.push(r);
    return r;
  };
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const { home, root, file } = prepareHubHome(workDir);
  const token = createHubToken(repoRoot, home, 'bench');
  const servers = {};
  const open = [];
  const errors = { hub: 0, bare: 0 };
  try {
    servers.hub = await startHubProcess(repoRoot, home);
    servers.bare = await startBareHttpProcess(repoRoot, root);
    log(`hub: hub at ${servers.hub.url}, bare SDK server at ${servers.bare.url}`);
    const tokenOf = { hub: token, bare: null };

    const opening = row(
      'hub_open_sessions',
      `open ${SESSIONS} sessions (2025 era) at once, median of ${s.opens}`,
      'ms',
      { goal: 'hub < 500 ms' },
    );
    const rss = row(
      'hub_rss_sessions',
      `server RSS with ${SESSIONS} sessions open (VmRSS)`,
      'bytes',
      {
        goal: 'hub ≤ 150 MiB',
      },
    );
    const errorsRow = row('hub_errors', 'errors over every call (warm-up included)', 'count', {
      goal: '0',
    });
    const legs = [
      { id: 'hub_1', label: '1 session (2025 era)', era: 'legacy', concurrency: 1 },
      {
        id: 'hub_32',
        label: `${SESSIONS} sessions (2025 era)`,
        era: 'legacy',
        concurrency: SESSIONS,
      },
      {
        id: 'hub_32_modern',
        label: `${SESSIONS} clients (2026-07-28)`,
        era: 'modern',
        concurrency: SESSIONS,
      },
    ].map((leg) => {
      const what = (m) => `read_text_file 1 KiB, ${leg.label}: ${m}`;
      const rate = row(
        `${leg.id}_calls_per_s`,
        what('calls per second (higher is better)'),
        'calls/s',
        {
          goal: 'hub ≥ 0.9× bare',
        },
      );
      const p50 = row(`${leg.id}_p50`, what('p50'), 'ms');
      const p99 = row(`${leg.id}_p99`, what('p99'), 'ms', { goal: 'hub ≤ 1.1× bare' });
      return { ...leg, rows: { rate, p50, p99 } };
    });

    log(`hub: opening ${SESSIONS} sessions ×${s.opens}, hub and bare in turns`);
    const opens = { hub: [], bare: [] };
    const kept = {};
    for (let i = 0; i < s.opens; i++) {
      for (const side of i % 2 === 0 ? SIDES : [...SIDES].reverse()) {
        const set = await measureCell(opening, side, null, () =>
          openHttpClients(servers[side].url, 'legacy', tokenOf[side], SESSIONS),
        );
        if (!set) continue;
        opens[side].push(set.ms);
        if (i === s.opens - 1) {
          kept[side] = set.clients;
          open.push(...set.clients);
        } else await closeHttpClients(set.clients);
      }
    }
    opening.bastion = opens.hub.length ? median(opens.hub) : null;
    opening.bare = opens.bare.length ? median(opens.bare) : null;
    opening.met = opening.bastion !== null && opening.bastion < 500;
    const rssAtOpen = readRssKb(servers.hub.pid).rss;
    if (opens.hub.length) addNote(opening, `hub: first (cold) ${opens.hub[0].toFixed(0)} ms`);

    for (const leg of legs) {
      log(`hub: ${leg.label}: ${s.rounds} rounds of ${s.perRound[leg.concurrency]} calls per side`);
      const clientsBySide = {};
      for (const side of SIDES) {
        if (leg.era === 'legacy' && leg.concurrency === SESSIONS && kept[side]) {
          clientsBySide[side] = kept[side];
          continue;
        }
        const set = await openHttpClients(
          servers[side].url,
          leg.era,
          tokenOf[side],
          leg.concurrency,
        );
        open.push(...set.clients);
        clientsBySide[side] = set.clients;
      }
      const result = await measureCell(leg.rows.rate, 'rounds', null, () =>
        runRounds(s, clientsBySide, file, leg.concurrency),
      );
      if (result) {
        fillLeg(leg.rows, leg, result, s);
        for (const side of SIDES) errors[side] += result[side].errors;
      }
      if (leg.id === 'hub_32') {
        const hub = readRssKb(servers.hub.pid);
        rss.bastion = hub.rss === null ? null : hub.rss * 1024;
        const bare = readRssKb(servers.bare.pid).rss;
        rss.bare = bare === null ? null : bare * 1024;
        rss.met = rss.bastion !== null && rss.bastion <= 150 * 1024 * 1024;
        addNote(
          rss,
          `after the ${SESSIONS}-session rounds; hub ${((rssAtOpen ?? 0) / 1024).toFixed(1)} MiB right after opening them, peak (VmHWM) ${((hub.hwm ?? 0) / 1024).toFixed(1)} MiB`,
        );
      }
      log(
        `hub: ${leg.label}: hub ${leg.rows.rate.bastion?.toFixed(0)} calls/s, bare ${leg.rows.rate.bare?.toFixed(0)} calls/s`,
      );
    }
    errorsRow.bastion = errors.hub;
    errorsRow.bare = errors.bare;
    errorsRow.met = errors.hub === 0;
  } finally {
    await closeHttpClients(open);
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
  return rows;
}
