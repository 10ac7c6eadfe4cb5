import { spawn } from 'node:child_process';
import { BENCH_PATH } from './servers.mjs';

// Run one command (argv, no shell) to completion; resolves with its wall time and stdout size.
// The floor rows: what the work costs without MCP, JSON or a policy layer in between.
export function runCommand(argv, { timeoutMs = 120_000, keepStdout = false } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: BENCH_PATH, LANG: 'C.UTF-8' },
    });
    let bytes = 0;
    const chunks = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      if (keepStdout) chunks.push(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv[0]}: timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      // rg exits 1 when nothing matched; that is still a completed run.
      if (code !== 0 && !(argv[0].endsWith('rg') && code === 1)) {
        reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr}`));
        return;
      }
      resolve({ ms, bytes, stdout: keepStdout ? Buffer.concat(chunks).toString('utf8') : '' });
    });
  });
}
