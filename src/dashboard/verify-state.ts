import { formatProblem, verifyAuditDir, type VerifyReport } from '../audit/index.js';

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

// Verification reads the whole log (at ~100 MB/s), so it runs at most once per MIN_INTERVAL_MS
// however often it is asked, and is redone on a read once the last result is STALE_AFTER_MS old.
export const VERIFY_MIN_INTERVAL_MS = 1_000;
export const VERIFY_STALE_AFTER_MS = 60_000;

export interface AuditVerifier {
  // The last result, re-verified first when it is stale (or `fresh` and the interval has passed).
  state(options?: { fresh?: boolean }): VerifyState;
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
  let last: { at: number; state: VerifyState } | undefined;
  const run = (): VerifyState => {
    const started = performance.now();
    let state: VerifyState;
    try {
      const report = verifyAuditDir({
        dir: options.dir,
        ...(options.key ? { key: options.key } : {}),
        ...(options.publicKeyFile ? { publicKeyFile: options.publicKeyFile } : {}),
      });
      state = toState(report, options.key !== undefined, now(), performance.now() - started);
    } catch (err) {
      // A log that cannot be read cannot be vouched for.
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      state = {
        state: 'not intact',
        checkedAt: new Date(now()).toISOString(),
        firstProblem: `the audit log could not be read (${code})`,
      };
    }
    last = { at: now(), state };
    return state;
  };
  return {
    state({ fresh = false } = {}) {
      if (!last) return run();
      const age = now() - last.at;
      if (age >= VERIFY_STALE_AFTER_MS || (fresh && age >= VERIFY_MIN_INTERVAL_MS)) return run();
      return last.state;
    },
  };
}
