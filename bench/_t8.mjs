import { spawn } from 'node:child_process';
const { createSandbox } = await import('/work/main/dist/sandbox/index.js');
const root = '/work/main/bench/.data/full/small-root';
const spec = { roots: [{ path: root, mode: 'read-write' }], deny: [], cwd: root, network: false, env: { PATH: '/usr/bin:/bin' } };
const limits = { maxProcesses: 256, maxMemoryMb: 2048, maxFileSizeMb: 1024, maxCpuSeconds: 600 };
const opts = { timeoutMs: 30000, maxOutputBytes: 65536 };
const pct = (t) => { t.sort((a, b) => a - b); return `p50 ${t[Math.floor(t.length / 2)].toFixed(1)} min ${t[0].toFixed(1)}`; };
const bare = () => new Promise((res) => { const c = spawn('/bin/bash', ['-c', 'echo hi']); c.stdout.on('data', () => {}); c.on('close', res); });
for (const useCgroups of [true, false]) {
  const sb = await createSandbox({ enabled: true, useCgroups });
  // phases via spawn(): time to exit event, and to kill() done
  const total = [], toExit = [], killT = [];
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    const r = await sb.run(['/bin/bash', '-c', 'echo hi'], spec, limits, opts);
    total.push(performance.now() - t0);
    if (!r.stdout.text.includes('hi')) throw new Error(JSON.stringify(r));
  }
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    const p = sb.spawn(['/bin/bash', '-c', 'echo hi'], spec, limits);
    p.stdout.resume(); p.stderr.resume(); p.stdin.end();
    await p.exited; const t1 = performance.now(); toExit.push(t1 - t0);
    await p.kill(); killT.push(performance.now() - t1);
  }
  console.log(`cgroups=${useCgroups} enforcement=${JSON.stringify(sb.enforcement)}\n  run(): ${pct(total)}\n  spawn->exit: ${pct(toExit)}\n  kill() after exit: ${pct(killT)}`);
  await sb.close();
}
const b = []; for (let i = 0; i < 40; i++) { const t0 = performance.now(); await bare(); b.push(performance.now() - t0); } console.log('bare bash:', pct(b));
