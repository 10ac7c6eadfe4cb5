import { waitUntil } from './duration.js';
import { isProcessAlive, processGroupOf } from './process-check.js';

// How a stop ended: gone after SIGTERM, gone only after SIGKILL, or still there.
export type StopOutcome = 'terminated' | 'killed' | 'stuck';

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

// SIGTERM, wait up to `graceMs` for the process to be gone, then SIGKILL (its whole process group
// when it leads one, as a detached hub does) and wait up to `killWaitMs`. The caller has checked
// that `pid` is the process it means to stop.
export async function stopProcess(
  pid: number,
  graceMs: number,
  killWaitMs = 5000,
): Promise<StopOutcome> {
  signal(pid, 'SIGTERM');
  if (await waitUntil(() => !isProcessAlive(pid), graceMs)) return 'terminated';
  // Security: the group is signalled only when this pid leads it (setsid); a pid inside someone
  // else's group gets the signal alone, so no unrelated sibling is killed.
  if (processGroupOf(pid) === pid) signal(-pid, 'SIGKILL');
  else signal(pid, 'SIGKILL');
  return (await waitUntil(() => !isProcessAlive(pid), killWaitMs)) ? 'killed' : 'stuck';
}
