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
    const child = spawn('/bin/sh', ['-c', COMMAND], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: BENCH_PATH } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', () => (out.includes('hi') ? resolve() : reject(new Error(`bare spawn printed ${JSON.stringify(out)}`))));
  });
}

function propsOf(tool) {
  return Object.keys(tool?.inputSchema?.properties ?? {});
}

// How to run `echo hi` through each server's command tool, checked against its tools/list.
async function resolveRunner(session, kind) {
  if (kind === 'desktopCommander') {
    const tool = await session.tool('start_process');
    if (!tool) throw new Error('no start_process tool');
    // start_process returns when the process exits (or at timeout_ms, which we never reach).
    return () => session.call('start_process', { command: COMMAND, timeout_ms: 10_000 });
  }
  const tool = (await session.tool('run_command')) ?? (await session.tool('execute_command'));
  if (!tool) throw new Error('no run_command tool');
  const props = propsOf(tool);
  const key = ['command', 'cmd', 'script'].find((k) => props.includes(k)) ?? 'command';
  return () => session.call(tool.name, { [key]: COMMAND });
}

// Shell rows: Bastion's sandboxed run_command against Desktop Commander's start_process, with a
// bare spawn from Node as the floor.
export async function runShellWorkload({ specs, quick, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const rows = [];
  const row = (...args) => {
    const r = makeRow('shell', ...args);
    rows.push(r);
    return r;
  };
  const sides = [
    { key: 'bastion', kind: 'bastion', spec: specs.bastionShell, handle: createServerHandle(specs.bastionShell) },
    { key: 'anchor', kind: 'desktopCommander', spec: specs.desktopCommander, handle: createServerHandle(specs.desktopCommander) },
  ];

  log('shell: cold start');
  const cold = row('shell_cold_start', 'shell server cold start (spawn → initialize → tools/list), median', 'ms');
  for (const side of sides) {
    cold[side.key] = await measureCell(cold, side.spec.label, null, async () => {
      const samples = [];
      for (let i = 0; i < s.coldStarts; i++) samples.push(await measureColdStart(side.spec));
      return median(samples);
    });
  }

  log(`shell: ${COMMAND} ×${s.runs}`);
  const p50 = row('echo_p50', `\`${COMMAND}\` ×${s.runs}: p50`, 'ms', { floorTool: 'bare spawn' });
  const p99 = row('echo_p99', `\`${COMMAND}\` ×${s.runs}: p99`, 'ms', { floorTool: 'bare spawn' });
  const overhead = row('echo_overhead', `\`${COMMAND}\` p50 over bare spawn`, 'ms', {
    goal: 'Bastion < 10 ms',
  });
  for (let i = 0; i < s.warmup; i++) await bareSpawn();
  const bare = await runSequential(s.runs, s.rowBudgetMs, bareSpawn);
  p50.floor = percentile(bare.latencies, 50);
  p99.floor = percentile(bare.latencies, 99);
  for (const side of sides) {
    await measureCell(p50, side.spec.label, side.handle, async () => {
      const run = await resolveRunner(await side.handle.get(), side.kind);
      const first = await run();
      if (!textOf(first).includes('hi')) throw new Error(`output was ${JSON.stringify(textOf(first).slice(0, 200))}`);
      for (let i = 0; i < s.warmup; i++) await run();
      const r = await runSequential(s.runs, s.rowBudgetMs, run);
      p50[side.key] = percentile(r.latencies, 50);
      p99[side.key] = percentile(r.latencies, 99);
      overhead[side.key] = p50[side.key] - p50.floor;
      if (r.latencies.length < s.runs) p50.notes.push(`${side.spec.label}: only ${r.latencies.length} calls within the time budget`);
    });
  }
  p50.goal = 'Bastion < Desktop Commander';

  const rss = row('rss_shell', 'peak RSS of the server process (VmHWM)', 'bytes');
  for (const side of sides) {
    const kb = side.handle.peakRssKb();
    rss[side.key] = kb === null ? null : kb * 1024;
    await side.handle.close();
  }
  return rows;
}
