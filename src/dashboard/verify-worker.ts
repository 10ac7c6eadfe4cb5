import { parentPort, workerData } from 'node:worker_threads';
import { verifyAuditDir, type VerifyOptions } from '../audit/index.js';

// Runs one verification off the hub's event loop: it reads and hashes the whole log (every
// rotated file), which on a large log takes seconds during which no call could be served.
const options = workerData as VerifyOptions;
try {
  parentPort?.postMessage({ ok: true, report: verifyAuditDir(options) });
} catch (err) {
  parentPort?.postMessage({ ok: false, code: (err as NodeJS.ErrnoException).code ?? 'error' });
}
