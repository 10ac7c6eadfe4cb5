import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Root } from '../../src/config/load-config.js';
import {
  buildSandboxEnv,
  SANDBOX_HOME,
  type RunResult,
  type Sandbox,
  type SandboxLimits,
  type SandboxSpec,
} from '../../src/sandbox/index.js';

// The test/fixtures dir, mounted read-only into sandboxes that run fixture scripts.
export const FIXTURES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures',
);

export const IS_LINUX = process.platform === 'linux';
export const IS_ROOT = process.getuid?.() === 0;

// Small limits so attacks end quickly on a 2-core machine.
export const TEST_LIMITS: SandboxLimits = {
  maxProcesses: 64,
  maxMemoryMb: 1024,
  maxFileSizeMb: 16,
  maxCpuSeconds: 30,
};

// A unique secret per test run: found in output means the boundary failed.
export function canarySecret(label: string): string {
  return `CANARY-${label}-${randomBytes(8).toString('hex')}`;
}

// A scratch layout: <base>/rw (read-write root), <base>/ro (read-only root), <base>/outside.
export interface SandboxWorld {
  base: string;
  rw: string;
  ro: string;
  outside: string;
  outsideSecret: string;
  cleanup(): void;
}

// Create the layout with an outside canary file the sandbox must never read.
export function createWorld(): SandboxWorld {
  const base = mkdtempSync(path.join(os.tmpdir(), 'bastion-sbx-'));
  const rw = path.join(base, 'rw');
  const ro = path.join(base, 'ro');
  const outside = path.join(base, 'outside');
  for (const dir of [rw, ro, outside]) mkdirSync(dir);
  const outsideSecret = canarySecret('outside');
  writeFileSync(path.join(outside, 'canary.txt'), outsideSecret);
  writeFileSync(path.join(ro, 'readme.txt'), 'read-only content\n');
  chmodSync(base, 0o755);
  return {
    base,
    rw,
    ro,
    outside,
    outsideSecret,
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

// A spec over the world's roots (plus the fixtures dir read-only), network off, scrubbed env.
export function specFor(world: SandboxWorld, overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  const roots: Root[] = [
    { path: world.rw, mode: 'read-write' },
    { path: world.ro, mode: 'read-only' },
    { path: FIXTURES_DIR, mode: 'read-only' },
  ];
  return {
    roots,
    deny: ['**/.env', '**/.env.*', '**/*.pem', '**/.ssh/**'],
    cwd: world.rw,
    network: false,
    env: buildSandboxEnv([], process.env, SANDBOX_HOME),
    ...overrides,
  };
}

// Run a bash script in the sandbox with a generous cap; returns the result.
export function bash(
  sandbox: Sandbox,
  spec: SandboxSpec,
  script: string,
  options: { timeoutMs?: number; limits?: Partial<SandboxLimits>; maxOutputBytes?: number } = {},
): Promise<RunResult> {
  return sandbox.run(
    ['/bin/bash', '-c', script],
    spec,
    { ...TEST_LIMITS, ...options.limits },
    {
      timeoutMs: options.timeoutMs ?? 20_000,
      maxOutputBytes: options.maxOutputBytes ?? 256 * 1024,
    },
  );
}

// Host pids whose command line contains the token (none = nothing leaked out of the sandbox).
export function hostPidsMatching(token: string): number[] {
  try {
    const out = execFileSync('pgrep', ['-f', token], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches.
  }
}

// Resolve after ms (waiting past the point an escapee would act; not a timing assertion).
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
