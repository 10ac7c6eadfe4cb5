// The two HTTP contenders of the hub rows, as child processes on loopback: the real `bastion hub`
// (its own home, config and token) and the bare SDK server; plus their SDK clients.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { BENCH_PATH } from './servers.mjs';

const START_TIMEOUT_MS = 20_000;
const STDERR_KEEP = 16 * 1024;

// Current and peak resident set (VmRSS, VmHWM; KiB) of a live process, or nulls.
export function readRssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
      return match ? Number(match[1]) : null;
    };
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: null, hwm: null };
  }
}

// A Bastion home for the hub: one root holding the 1 KiB file, the audit log under the home, and
// rate limits set out of reach. Everything else (Host/Origin allow-lists, body limit, tokens,
// audit) stays at its default, as a user runs it.
export function prepareHubHome(work) {
  const home = path.join(work, 'home');
  const root = path.join(work, 'root');
  const configDir = path.join(home, 'config');
  for (const dir of [home, root, configDir]) mkdirSync(dir, { recursive: true });
  const file = path.join(root, 'small-1k.txt');
  writeFileSync(file, 'x'.repeat(1023) + '\n');
  const settings = {
    bastion: {
      roots: [{ path: root, mode: 'read-write' }],
      audit: { dir: path.join(home, 'logs') },
      hub: {
        listen: '127.0.0.1:0',
        maxSessions: 1000,
        rateLimit: { requestsPerMinute: 10_000_000, maxConcurrent: 1000 },
      },
    },
  };
  writeFileSync(path.join(configDir, 'mcp_settings.json'), JSON.stringify(settings, null, 2), {
    mode: 0o600,
  });
  return { home, root, file };
}

function cliEnv(home) {
  return { PATH: BENCH_PATH, LANG: 'C.UTF-8', HOME: home };
}

// `bastion token create`: the token alone on stdout.
export function createHubToken(repoRoot, home, name) {
  const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');
  const result = spawnSync(
    process.execPath,
    [cli, 'token', 'create', name, '--home', home, '--servers', 'files'],
    { cwd: repoRoot, encoding: 'utf8', env: cliEnv(home), timeout: 30_000 },
  );
  if (result.status !== 0)
    throw new Error(`token create failed (${result.status}): ${result.stderr.slice(-500)}`);
  return result.stdout.trim();
}

// Spawns a server and waits (bounded) for the line on stderr that gives its URL.
function startServing(label, args, { cwd, env, urlPattern }) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label} did not start in ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
      const match = urlPattern.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
  return ready.then((url) => ({
    label,
    url,
    pid: child.pid,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

// `bastion hub --home <home>`. BASTION_BENCH_HUB_NODE_ARGS (space-separated) goes to its node,
// e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the hub under the bench's load.
export async function startHubProcess(repoRoot, home) {
  const nodeArgs = (process.env.BASTION_BENCH_HUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');
  const served = await startServing('hub', [...nodeArgs, cli, 'hub', '--home', home], {
    cwd: repoRoot,
    env: cliEnv(home),
    urlPattern: /serving (https?:\/\/[^\s/]+\/mcp\/files)/,
  });
  return served;
}

// `node bench/bare-http-server.mjs <root>`; BASTION_BENCH_BARE_NODE_ARGS goes to its node.
export function startBareHttpProcess(repoRoot, root) {
  const nodeArgs = (process.env.BASTION_BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const script = path.join(repoRoot, 'bench', 'bare-http-server.mjs');
  return startServing('bare SDK server', [...nodeArgs, script, root], {
    cwd: repoRoot,
    env: { PATH: BENCH_PATH, LANG: 'C.UTF-8' },
    urlPattern: /serving (http:\/\/\S+\/mcp)\b/,
  });
}

// One SDK Streamable HTTP client: 'legacy' speaks the 2025 initialize handshake and holds an
// Mcp-Session-Id session; 'modern' is pinned to 2026-07-28 (stateless requests).
export async function connectHttpClient(url, era, token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client(
    { name: 'bastion-bench', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(transport);
  return {
    client,
    async close() {
      // DELETE ends a 2025 session on the server; a modern client holds none.
      if (era === 'legacy') await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    },
  };
}

// Opens `count` clients at once; the wall time until all are connected.
export async function openHttpClients(url, era, token, count) {
  const t0 = performance.now();
  const clients = await Promise.all(
    Array.from({ length: count }, () => connectHttpClient(url, era, token)),
  );
  return { clients, ms: performance.now() - t0 };
}

export async function closeHttpClients(clients) {
  await Promise.all(clients.map((c) => c.close()));
}
