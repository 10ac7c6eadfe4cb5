import { spawn } from 'node:child_process';
import { BENCH_PATH } from './servers.mjs';
import { createServerHandle, measureColdStart, textOf } from './mcp-client.mjs';
import { makeRow, measureCell } from './measure.mjs';
import { median, percentile, runSequential } from './stats.mjs';

const SETTINGS = {
  full: { runs: 200, warmup: 10, coldStarts: 5, callTimeoutMs: 30_000, rowBudgetMs: 120_000 },
  quick: { runs: 40, warmup: 3, coldStarts: 3, callTimeoutMs: 30_000, rowBudgetMs: 30_000 },
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

// `echo hi` through one server: first call checked, warm-up, then `runs` sequential calls.
async function measureEcho(side, s) {
  const run = await resolveRunner(await side.handle.get(), side.kind, s.callTimeoutMs);
  const first = await run();
  if (!textOf(first).includes('hi'))
    throw new Error(`output was ${JSON.stringify(textOf(first).slice(0, 200))}`);
  for (let i = 0; i < s.warmup; i++) await run();
  const r = await runSequential(s.runs, s.rowBudgetMs, run);
  return {
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
    n: r.latencies.length,
  };
}

// Shell rows: Bastion's sandboxed run_command against Desktop Commander's start_process, with a
// bare spawn from Node as the floor. Bastion runs twice: with a 20-file root (the sandbox's fixed
// cost) and with the root holding the 100k-file tree (plus any per-root work it does per command).
export async function runShellWorkload({ specs, data, quick, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const rows = [];
  const row = (...args) => {
    const r = makeRow('shell', ...args);
    rows.push(r);
    return r;
  };
  const small = {
    kind: 'bastion',
    spec: specs.bastionShellSmall,
    handle: createServerHandle(specs.bastionShellSmall),
  };
  const big = {
    kind: 'bastion',
    spec: specs.bastionShell,
    handle: createServerHandle(specs.bastionShell),
  };
  const dc = {
    kind: 'desktopCommander',
    spec: specs.desktopCommander,
    handle: createServerHandle(specs.desktopCommander),
  };

  log('shell: cold start');
  const cold = row(
    'shell_cold_start',
    'shell server cold start (spawn → initialize → tools/list), median',
    'ms',
  );
  for (const [key, side] of [
    ['bastion', big],
    ['anchor', dc],
  ]) {
    cold[key] = await measureCell(cold, side.spec.label, null, async () => {
      const samples = [];
      for (let i = 0; i < s.coldStarts; i++) samples.push(await measureColdStart(side.spec));
      return median(samples);
    });
  }

  log(`shell: bare spawn ×${s.runs}`);
  for (let i = 0; i < s.warmup; i++) await bareSpawn();
  const bare = await runSequential(s.runs, s.rowBudgetMs, bareSpawn);
  const bareP50 = percentile(bare.latencies, 50);
  const bareP99 = percentile(bare.latencies, 99);

  log(`shell: Desktop Commander start_process ×${s.runs}`);
  const dcRow = makeRow('shell', 'dc', '', 'ms');
  const dcEcho = await measureCell(dcRow, dc.spec.label, dc.handle, () => measureEcho(dc, s));

  const files = data.treeFiles.toLocaleString('en-US');
  for (const [side, where, id] of [
    [small, 'root of 20 files', 'small'],
    [big, `root holding ${files} files`, 'big'],
  ]) {
    log(`shell: Bastion run_command ×${s.runs}, ${where}`);
    const p50 = row(`echo_${id}_p50`, `\`${COMMAND}\` ×${s.runs}, ${where}: p50`, 'ms', {
      floorTool: 'bare spawn',
      floor: bareP50,
    });
    const p99 = row(`echo_${id}_p99`, `\`${COMMAND}\` ×${s.runs}, ${where}: p99`, 'ms', {
      floorTool: 'bare spawn',
      floor: bareP99,
    });
    const over = row(`echo_${id}_overhead`, `\`${COMMAND}\` p50 over bare spawn, ${where}`, 'ms', {
      goal: 'Bastion < 10 ms',
    });
    p50.goal = 'Bastion < Desktop Commander';
    p50.notes.push(...dcRow.notes);
    const mine = await measureCell(p50, side.spec.label, side.handle, () => measureEcho(side, s));
    for (const [r, field] of [
      [p50, 'p50'],
      [p99, 'p99'],
    ]) {
      r.bastion = mine?.[field] ?? null;
      r.anchor = dcEcho?.[field] ?? null;
    }
    over.bastion = mine ? mine.p50 - bareP50 : null;
    over.anchor = dcEcho ? dcEcho.p50 - bareP50 : null;
    if (mine && mine.n < s.runs)
      p50.notes.push(
        `${side.spec.label}: only ${mine.n} calls within the ${s.rowBudgetMs / 1000} s budget`,
      );
    if (dcEcho && dcEcho.n < s.runs)
      p50.notes.push(`${dc.spec.label}: only ${dcEcho.n} calls within the budget`);
  }
  if (dcEcho)
    rows
      .find((r) => r.id === 'echo_big_p50')
      .notes.push(
        'Desktop Commander has no per-root work per command: same measurement as the row above',
      );

  const rss = row('rss_shell', 'peak RSS of the server process (VmHWM)', 'bytes');
  rss.notes.push(`Bastion: the server with the ${files}-file root`);
  for (const [key, side] of [
    ['bastion', big],
    ['anchor', dc],
  ]) {
    const kb = side.handle.peakRssKb();
    rss[key] = kb === null ? null : kb * 1024;
  }
  await Promise.all([small, big, dc].map((side) => side.handle.close()));
  return rows;
}
