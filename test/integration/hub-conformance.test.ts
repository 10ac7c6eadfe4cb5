import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/mcp-client.js';
import {
  createToken,
  makeHubDirs,
  removeHubDirs,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from './hub-harness.js';

// The conformance CLI needs Node 22: the node@22 dev dependency's binary.
const NODE22 = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
const SUITES = {
  '0.1.16': path.join(REPO_ROOT, 'node_modules', 'conformance-v1', 'dist', 'index.js'),
  '0.2.0-alpha.12': path.join(REPO_ROOT, 'node_modules', 'conformance-v2', 'dist', 'index.js'),
};
const SCENARIOS = [
  'server-initialize',
  'server-session-lifecycle',
  'server-stateless',
  'ping',
  'tools-list',
  'dns-rebinding-protection',
  'http-header-validation',
  'caching',
  'server-sse-multiple-streams',
];

// Checks the suites fail for a reason that is not the server's to fix, each with the answer it
// must have got: anything else failing, or these failing otherwise, fails the test.
const NOT_APPLICABLE: Record<string, RegExp> = {
  // Bastion offers tools only; an undeclared method is answered -32601, as the spec says.
  'sep-2549-prompts-list-caching-hints': /-32601/,
  'sep-2549-resources-list-caching-hints': /-32601/,
  'sep-2549-resources-templates-list-caching-hints': /-32601/,
  // These need the suite's own diagnostic tools (test_missing_capability, ...), which a product
  // server does not have; the suite reports them as not testable.
  'sep-2575-server-rejects-undeclared-capability': /^Not testable/,
  'sep-2575-missing-capability-http-400': /^Not testable/,
  'sep-2575-http-server-no-independent-requests-on-stream': /^Not testable/,
  'sep-2575-server-no-log-without-loglevel': /^Not testable/,
};

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

// The scenarios a suite version knows (0.1.16 predates the 2026-07-28 ones).
function knownScenarios(cli: string): Set<string> {
  const run = spawnSync(NODE22, [cli, 'list'], { encoding: 'utf8', timeout: 30_000 });
  return new Set([...run.stdout.matchAll(/^\s+- ([a-z0-9-]+)/gm)].map((m) => m[1] ?? ''));
}

// Runs a suite to its end (bounded), collecting its output.
function runSuite(
  cli: string,
  args: string[],
  home: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE22, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function readChecks(dir: string): Check[] {
  const checks: Check[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('checks.json'))
      checks.push(...(JSON.parse(readFileSync(path.join(dir, entry), 'utf8')) as Check[]));
  }
  return checks;
}

// A loopback proxy that adds the bearer token to every request (the conformance CLI cannot send
// headers) and passes everything else through untouched, Host and Origin included, so the hub's
// own checks are what the suite meets.
function startTokenProxy(target: URL, token: string, port: number): Promise<Server> {
  const proxy = createServer((req, res) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, authorization: `Bearer ${token}` },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => proxy.listen(port, '127.0.0.1', () => resolve(proxy)));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('MCP conformance suites against the hub, with auth on', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let proxy: Server;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    // The suites talk to the proxy, so the hub allows the proxy's address as a Host and Origin.
    dirs = makeHubDirs({
      hub: {
        allowedHosts: [`127.0.0.1:${port}`, `localhost:${port}`],
        allowedOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
        rateLimit: {
          requestsPerMinute: 100_000,
          maxConcurrent: 64,
          unauthenticatedPerMinute: 1000,
        },
      },
    });
    const token = createToken(dirs, 'conformance', ['--servers', 'files']);
    hub = await startHub(dirs);
    proxy = await startTokenProxy(new URL(hub.url), token, port);
    url = `http://127.0.0.1:${port}/mcp/files`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await hub?.stop();
    removeHubDirs(dirs);
  });

  describe.each(Object.entries(SUITES))('conformance %s', (version, cli) => {
    const known = knownScenarios(cli);
    it('knows the 2025 scenarios at least', () => {
      expect(known.has('server-initialize') && known.has('dns-rebinding-protection')).toBe(true);
    });
    // Scenarios newer than this suite version show as skipped in the report, never silently.
    const absent = SCENARIOS.filter((s) => !known.has(s));
    it('lacks only scenarios of the 2026 revision or later', () => {
      expect(version === '0.1.16' || absent.length === 0).toBe(true);
    });
    it.skip.each(absent)('%s (not in this suite version)', () => undefined);
    it.each(SCENARIOS.filter((s) => known.has(s)))(
      '%s passes',
      async (scenario) => {
        const out = mkdtempSync(path.join(os.tmpdir(), 'bastion-conformance-'));
        // Asynchronous: the token proxy runs in this process and must keep serving meanwhile.
        const run = await runSuite(
          cli,
          ['server', '--url', url, '--scenario', scenario, '-o', out],
          dirs.home,
        );
        const checks = readChecks(out);
        expect(checks.length, `${run.stdout}\n${run.stderr}`).toBeGreaterThan(0);
        const failed = checks.filter((c) => c.status === 'FAILURE');
        const unexpected = failed.filter((c) => !NOT_APPLICABLE[c.id]?.test(c.errorMessage ?? ''));
        expect(unexpected, JSON.stringify(unexpected, null, 2)).toEqual([]);
        if (failed.length === 0) expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(checks.some((c) => c.status === 'SUCCESS')).toBe(true);
      },
      120_000,
    );
  });
});
