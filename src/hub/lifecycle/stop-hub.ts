import { rmSync } from 'node:fs';
import { inspectHub, type StaleRecord } from './inspect-hub.js';
import { removeHubState } from './state-file.js';
import { stopProcess, type StopOutcome } from './stop-process.js';

export interface StopHubOptions {
  stateDir: string;
  // dist/cli/main.js of this install: only a process running it with `hub` is signalled.
  mainScript: string;
  // How long the hub gets to finish after SIGTERM before SIGKILL.
  graceMs: number;
}

// What `bastion stop` did.
export type StopHubResult =
  | { running: false; stale: StaleRecord[] }
  | { running: true; pid: number; outcome: StopOutcome; stale: StaleRecord[] };

// Remove the files that name no running hub. A stale record is never signalled: its pid is dead
// or belongs to another program now.
export function removeStaleRecords(stale: readonly StaleRecord[]): void {
  for (const record of stale) rmSync(record.file, { force: true });
}

// Stop the recorded hub (SIGTERM, then SIGKILL after graceMs) and remove its state and pid files.
export async function stopHub(options: StopHubOptions): Promise<StopHubResult> {
  const inspection = inspectHub(options.stateDir, options.mainScript);
  removeStaleRecords(inspection.stale);
  if (!inspection.running) return { running: false, stale: inspection.stale };
  const outcome = await stopProcess(inspection.pid, options.graceMs);
  // A clean stop removes them itself; after SIGKILL (or a hub that did not) they are ours to remove.
  if (outcome !== 'stuck') removeHubState(options.stateDir, { pid: inspection.pid });
  return { running: true, pid: inspection.pid, outcome, stale: inspection.stale };
}
