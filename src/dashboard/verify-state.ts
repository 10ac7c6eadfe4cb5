import { Worker } from 'node:worker_threads';
import { formatProblem, type VerifyOptions, type VerifyReport } from '../audit/index.js';

// The audit chain's state as the page shows it.
export interface VerifyState {
  state: 'intact' | 'not intact' | 'not created yet' | 'not checked yet';
  checkedAt?: string;
  records?: number;
  streams?: number;
  checkpoints?: number;
  macsChecked?: boolean;
  problems?: number;
  firstProblem?: string;
  notes?: string[];
  durationMs?: number;
}

// Verification reads the whole log (at ~100 MB/s), so runs begin at most once per MIN_INTERVAL_MS
// however often "Verify now" is asked, and a plain read redoes it once the last result is
// STALE_AFTER_MS old.
// Security: denial of service. It runs in a worker thread: on the hub's event loop a large log
// would stall every call (and /healthz) for as long as the verification takes.
export const VERIFY_MIN_INTERVAL_MS = 1_000;
export const VERIFY_STALE_AFTER_MS = 60_000;

export interface AuditVerifier {
  // The last result, re-verified first when it is stale. `fresh`: the result of a run that
  // began after the ask (waiting out the interval); asks made before it begins share it.
  state(options?: { fresh?: boolean }): Promise<VerifyState>;
}

function toState(report: VerifyReport, key: boolean, at: number, took: number): VerifyState {
  const [first] = report.problems;
  return {
    state: !report.ok ? 'not intact' : report.exists ? 'intact' : 'not created yet',
    checkedAt: new Date(at).toISOString(),
    records: report.records,
    streams: report.streams,
    checkpoints: report.checkpoints,
    macsChecked: key,
    problems: report.problems.length,
    ...(first ? { firstProblem: formatProblem(first) } : {}),
    notes: report.notes.slice(0, 5),
    durationMs: Math.round(took),
  };
}

export function createAuditVerifier(options: {
  dir: string;
  key?: string;
  publicKeyFile?: string;
  now?: () => number;
}): AuditVerifier {
  const now = options.now ?? Date.now;
  const verifyOptions: VerifyOptions = {
    dir: options.dir,
    ...(options.key ? { key: options.key } : {}),
    ...(options.publicKeyFile ? { publicKeyFile: options.publicKeyFile } : {}),
  };
  let last: { at: number; state: VerifyState } | undefined;
  let running: Promise<VerifyState> | undefined;
  // A log that cannot be read cannot be vouched for.
  const unreadable = (code: string): VerifyState => ({
    state: 'not intact',
    checkedAt: new Date(now()).toISOString(),
    firstProblem: `the audit log could not be read (${code})`,
  });
  const verifyInWorker = (): Promise<VerifyState> =>
    new Promise((resolve) => {
      const started = performance.now();
      const worker = new Worker(new URL('./verify-worker.js', import.meta.url), {
        workerData: verifyOptions,
      });
      // A stopping hub does not wait for a verification nobody will read.
      worker.unref();
      let settled = false;
      const settle = (state: VerifyState): void => {
        if (settled) return;
        settled = true;
        resolve(state);
      };
      worker.once('message', (reply: { ok: boolean; report?: VerifyReport; code?: string }) => {
        settle(
          reply.ok && reply.report
            ? toState(reply.report, options.key !== undefined, now(), performance.now() - started)
            : unreadable(reply.code ?? 'error'),
        );
      });
      worker.once('error', (err: NodeJS.ErrnoException) => settle(unreadable(err.code ?? 'error')));
      worker.once('exit', () => settle(unreadable('worker exited')));
    });
  // Intervals and ages on the monotonic clock: a wall clock set back must neither hold "Verify
  // now" until it catches up nor keep serving an old result (`now` stamps `checkedAt` only).
  const monotonic = (): number => performance.now();
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  const run = (): Promise<VerifyState> => {
    if (running) return running;
    lastStartedAt = monotonic();
    const result = verifyInWorker()
      .catch((err: NodeJS.ErrnoException) => unreadable(err.code ?? 'error'))
      .then((state) => {
        last = { at: monotonic(), state };
        running = undefined;
        return state;
      });
    running = result;
    return result;
  };
  // The run every "Verify now" asked before it begins shares. It begins once no run is going
  // and the interval since the last one began has passed, so it begins after each of them was
  // asked, and counts every record written until then: a run already going (or one begun
  // within the interval) began before some of those records.
  let next: Promise<VerifyState> | undefined;
  const runFresh = (): Promise<VerifyState> => {
    next ??= (async () => {
      // Not a step further in this turn: `next` must be set before it is cleared below.
      await Promise.resolve();
      for (;;) {
        if (running) {
          await running;
          continue;
        }
        const wait = lastStartedAt + VERIFY_MIN_INTERVAL_MS - monotonic();
        if (wait <= 0) break;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      // Synchronously from the check above: no run began in between.
      next = undefined;
      return run();
    })();
    return next;
  };
  return {
    async state({ fresh = false } = {}) {
      if (fresh) return await runFresh();
      if (last && monotonic() - last.at < VERIFY_STALE_AFTER_MS) return last.state;
      return await run();
    },
  };
}
