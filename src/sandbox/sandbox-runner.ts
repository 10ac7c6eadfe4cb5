import type { Launcher } from './launcher/index.js';
import { launchTree, type LaunchPlan } from './process-tree.js';
import { OutputCapper } from './output-cap.js';
import { waitForStreamsClosed } from './stream-drain.js';
import type {
  LimitEnforcement,
  OverlaySupport,
  RunOptions,
  RunResult,
  Sandbox,
  SandboxedProcess,
  SandboxLimits,
  SandboxSpec,
} from './types.js';

// Output past this many bytes (or 16x maxOutputBytes if larger) kills the command: a flood is
// drained, never buffered, but not forever.
export const OUTPUT_KILL_FLOOR_BYTES = 16 * 1024 * 1024;

// Turns (argv, spec, limits) into the exact process to launch; one per sandbox kind.
export type PlanLaunch = (
  argv: readonly string[],
  spec: SandboxSpec,
  limits: SandboxLimits,
) => LaunchPlan;

function validateLimits(limits: SandboxLimits): void {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || (value as number) <= 0) {
      throw new RangeError(`expected ${key} to be a positive integer, got ${String(value)}`);
    }
  }
}

// The Sandbox API over a launch planner: spawn, run with timeout/cap/cancel, close. With a
// launcher (native/launcher.c) commands start through it; without, Node spawns them. close()
// leaves the launcher running (the Sandbox stays usable); it exits with this process.
export function createSandboxRunner(
  kind: Sandbox['kind'],
  enforcement: LimitEnforcement,
  plan: PlanLaunch,
  launcher: Launcher | null = null,
  overlays: OverlaySupport = { available: false, reason: 'this sandbox does not mount overlays' },
): Sandbox {
  const live = new Set<SandboxedProcess>();

  const spawn = (
    argv: readonly string[],
    spec: SandboxSpec,
    limits: SandboxLimits,
  ): SandboxedProcess => {
    if (argv.length === 0) throw new TypeError('expected a non-empty argv, got []');
    validateLimits(limits);
    const launchPlan = plan(argv, spec, limits);
    const proc: SandboxedProcess = launchTree(
      launchPlan,
      () => {
        live.delete(proc);
      },
      launcher,
    );
    live.add(proc);
    return proc;
  };

  const run = async (
    argv: readonly string[],
    spec: SandboxSpec,
    limits: SandboxLimits,
    options: RunOptions,
  ): Promise<RunResult> => {
    const started = performance.now();
    if (options.signal?.aborted) {
      const empty = new OutputCapper(0).result();
      return {
        exitCode: null,
        signal: null,
        stdout: empty,
        stderr: empty,
        durationMs: 0,
        timedOut: false,
        cancelled: true,
        outputLimitHit: false,
        ...(spec.overlays !== undefined ? { overlaid: [] } : {}),
      };
    }
    const proc = spawn(argv, spec, limits);
    const out = new OutputCapper(options.maxOutputBytes);
    const err = new OutputCapper(options.maxOutputBytes);
    const killAt = Math.max(OUTPUT_KILL_FLOOR_BYTES, options.maxOutputBytes * 16);
    let timedOut = false;
    let cancelled = false;
    let outputLimitHit = false;

    const onData = (capper: OutputCapper) => (chunk: Buffer) => {
      capper.push(chunk);
      const total = out.totalBytes + err.totalBytes;
      options.onOutput?.(total);
      // Security: a command that floods output is killed once far past the cap (the capper
      // already keeps memory bounded; this bounds CPU and time).
      if (total > killAt && !outputLimitHit) {
        outputLimitHit = true;
        void proc.kill();
      }
    };
    proc.stdout.on('data', onData(out));
    proc.stderr.on('data', onData(err));

    // Security: every run has a timeout; on expiry the whole tree is killed.
    const timer = setTimeout(() => {
      timedOut = true;
      void proc.kill();
    }, options.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      void proc.kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    if (options.stdin !== undefined) proc.stdin.end(options.stdin);
    else proc.stdin.end();

    try {
      const status = await proc.exited;
      // Reap stragglers (background jobs) even after a normal exit: nothing outlives run().
      await proc.kill();
      await waitForStreamsClosed([proc.stdout, proc.stderr]);
      proc.stdout.destroy();
      proc.stderr.destroy();
      return {
        exitCode: status.code,
        signal: status.signal,
        stdout: out.result(),
        stderr: err.result(),
        durationMs: Math.round(performance.now() - started),
        timedOut,
        cancelled,
        outputLimitHit,
        ...(spec.overlays !== undefined ? { overlaid: proc.overlaid } : {}),
      };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  };

  const close = async (): Promise<void> => {
    await Promise.all([...live].map((p) => p.kill()));
  };

  return { kind, enforcement, spawn, run, close, overlays };
}
