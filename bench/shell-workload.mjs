import { spawn } from 'node:child_process';
import { BENCH_PATH } from './servers.mjs';
import { createServerHandle, measureColdStart, textOf } from './mcp-client.mjs';
import { makeRow, measureCell } from './measure.mjs';
import { median, percentile, runInterleaved } from './stats.mjs';

const SETTINGS = {
  full: {
    runs: 200,
    block: 20,
    warmup: 10,
    coldStarts: 5,
    callTimeoutMs: 30_000,
    rowBudgetMs: 120_000,
  },
  quick: {
    runs: 40,
    block: 10,
    warmup: 3,
    coldStarts: 3,
    callTimeoutMs: 30_000,
    rowBudgetMs: 30_000,
  },
};
const COMMAND = 'echo hi';

// The floor: spawn /bin/sh -c 'echo hi' from Node and wait for it to close.
function bareSpawn() {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', COMMAND], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: BENCH_PATH },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', () =>
      out.includes('hi')
        ? resolve()
        : reject(new Error(`bare spawn printed ${JSON.stringify(out)}`)),
    );
  });
}

function propsOf(tool) {
  return Object.keys(tool?.inputSchema?.properties ?? {});
}

// How to run `echo hi` through each server's command tool, checked against its tools/list.
async function resolveRunner(session, kind, timeoutMs) {
  if (kind === 'desktopCommander') {
    const tool = await session.tool('start_process');
    if (!tool) throw new Error('no start_process tool');
    // start_process returns when the process exits (or at timeout_ms, which we never reach).
    return () => session.call('start_process', { command: COMMAND, timeout_ms: 10_000 }, timeoutMs);
  }
  const tool = (await session.tool('run_command')) ?? (await session.tool('execute_command'));
  if (!tool) throw new Error('no run_command tool');
  const props = propsOf(tool);
  const key = ['command', 'cmd', 'script'].find((k) => props.includes(k)) ?? 'command';
  return () => session.call(tool.name, { [key]: COMMAND }, timeoutMs);
}

// A server's `echo hi` call, after checking the first answer and warming up.
async function prepareEcho(side, s) {
  const run = await resolveRunner(await side.handle.get(), side.kind, s.callTimeoutMs);
  const first = await run();
  if (!textOf(first).includes('hi'))
    throw new Error(`output was ${JSON.stringify(textOf(first).slice(0, 200))}`);
  for (let i = 0; i < s.warmup; i++) await run();
  return run;
}

// Shell rows: Bastion's sandboxed run_command against Desktop Commander's start_process, with a
// bare spawn from Node as the floor. Bastion runs twice: with a 20-file root (the sandbox's fixed
// cost) and with the root holding the 100k-file tree (plus any per-root work it does per command).
// The four contenders take turns in blocks of calls, so load drifting on the machine hits all alike.
export async function runShellWorkload({ specs, data, quick, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const rows = [];
  const row = (...args) => {
    const r = makeRow('shell', ...args);
    rows.push(r);
    return r;
  };
  const side = (kind, spec) => ({ kind, spec, handle: createServerHandle(spec) });
  const small = side('bastion', specs.bastionShellSmall);
  const big = side('bastion', specs.bastionShell);
  const dc = side('desktopCommander', specs.desktopCommander);

  log('shell: cold start');
  const cold = row(
    'shell_cold_start',
    'shell server cold start (spawn → initialize → tools/list), median',
    'ms',
  );
  const colds = { bastion: [], anchor: [] };
  for (let i = 0; i < s.coldStarts; i++) {
    for (const [key, contender] of [
      ['bastion', big],
      ['anchor', dc],
    ]) {
      if (colds[key] === null) continue;
      const ms = await measureCell(cold, contender.spec.label, null, () =>
        measureColdStart(contender.spec),
      );
      if (ms === null) colds[key] = null;
      else colds[key].push(ms);
    }
  }
  cold.bastion = colds.bastion && median(colds.bastion);
  cold.anchor = colds.anchor && median(colds.anchor);

  const files = data.treeFiles.toLocaleString('en-US');
  const where = { small: 'root of 20 files', big: `root holding ${files} files` };
  const rowsFor = {};
  for (const id of ['small', 'big']) {
    const label = (what) => `\`${COMMAND}\` ×${s.runs}, ${where[id]}: ${what}`;
    rowsFor[id] = {
      p50: row(`echo_${id}_p50`, label('p50'), 'ms', { floorTool: 'bare spawn' }),
      p99: row(`echo_${id}_p99`, label('p99'), 'ms', { floorTool: 'bare spawn' }),
      over: row(`echo_${id}_overhead`, `\`${COMMAND}\` p50 over bare spawn, ${where[id]}`, 'ms', {
        goal: 'Bastion < 10 ms',
      }),
    };
    rowsFor[id].p50.goal = 'Bastion < Desktop Commander';
  }

  log(
    `shell: ${COMMAND} ×${s.runs}: bare spawn, Desktop Commander, Bastion (two roots) in turns of ${s.block}`,
  );
  for (let i = 0; i < s.warmup; i++) await bareSpawn();
  const fns = { bare: bareSpawn };
  const note = rowsFor.small.p50;
  const dcRun = await measureCell(note, dc.spec.label, dc.handle, () => prepareEcho(dc, s));
  if (dcRun) fns.dc = dcRun;
  for (const [id, contender] of [
    ['small', small],
    ['big', big],
  ]) {
    const run = await measureCell(rowsFor[id].p50, contender.spec.label, contender.handle, () =>
      prepareEcho(contender, s),
    );
    if (run) fns[id] = run;
  }
  const result = await measureCell(note, 'echo loop', null, () =>
    runInterleaved(s.runs, s.rowBudgetMs, fns, s.block),
  );
  const lat = result?.latencies ?? {};
  const pct = (name, p) => (lat[name]?.length ? percentile(lat[name], p) : null);
  for (const id of ['small', 'big']) {
    const r = rowsFor[id];
    r.p50.bastion = pct(id, 50);
    r.p99.bastion = pct(id, 99);
    r.p50.anchor = pct('dc', 50);
    r.p99.anchor = pct('dc', 99);
    r.p50.floor = pct('bare', 50);
    r.p99.floor = pct('bare', 99);
    const over = (x) => (x === null || r.p50.floor === null ? null : x - r.p50.floor);
    r.over.bastion = over(r.p50.bastion);
    r.over.anchor = over(r.p50.anchor);
  }
  const done = lat.bare?.length ?? 0;
  if (result && done < s.runs)
    note.notes.push(`only ${done} rounds within the ${s.rowBudgetMs / 1000} s budget`);
  rowsFor.big.p50.notes.push(
    'Desktop Commander has no per-root work per command: same measurement as the row above',
  );

  const rss = row('rss_shell', 'peak RSS of the server process (VmHWM)', 'bytes');
  rss.notes.push(`Bastion: the server with the ${files}-file root`);
  for (const [key, contender] of [
    ['bastion', big],
    ['anchor', dc],
  ]) {
    const kb = contender.handle.peakRssKb();
    rss[key] = kb === null ? null : kb * 1024;
  }
  await Promise.all([small, big, dc].map((c) => c.handle.close()));
  return rows;
}
