import { InvalidStateFileError } from '../../errors/index.js';
import { isHubProcess, isProcessAlive } from './process-check.js';
import { hubPidPath, hubStatePath, readHubPid, readHubState, type HubState } from './state-file.js';

// Why a recorded pid does not stand for a running hub.
export type StaleReason = 'dead' | 'not-a-hub' | 'unreadable';

// One file that records a hub which is not running, for the commands to report and clean up.
export interface StaleRecord {
  file: string;
  pid?: number;
  reason: StaleReason;
}

// What the state and pid files say, checked against the live process table.
export type HubInspection =
  | { running: true; pid: number; state?: HubState; stale: StaleRecord[] }
  | { running: false; stale: StaleRecord[] };

function classify(pid: number, mainScript: string): 'live' | StaleReason {
  if (!isProcessAlive(pid)) return 'dead';
  return isHubProcess(pid, mainScript) ? 'live' : 'not-a-hub';
}

function readOrStale<T>(read: () => T, file: string, stale: StaleRecord[]): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof InvalidStateFileError)) throw err;
    stale.push({ file, reason: 'unreadable' });
    return undefined;
  }
}

// Is a hub running for this state dir? Running means a recorded pid (state file first, then the
// pid file `bastion start` wrote) is alive AND is `<node> <mainScript> hub`; every other record
// is stale, whether its process died or its pid now belongs to an unrelated program.
export function inspectHub(stateDir: string, mainScript: string): HubInspection {
  const stale: StaleRecord[] = [];
  const statePath = hubStatePath(stateDir);
  const pidPath = hubPidPath(stateDir);
  const state = readOrStale(() => readHubState(stateDir), statePath, stale);
  const filePid = readOrStale(() => readHubPid(stateDir), pidPath, stale);
  const verdicts = new Map<number, 'live' | StaleReason>();
  const verdictOf = (pid: number): 'live' | StaleReason => {
    const verdict = verdicts.get(pid) ?? classify(pid, mainScript);
    verdicts.set(pid, verdict);
    return verdict;
  };
  let live: { pid: number; state?: HubState } | undefined;
  if (state !== undefined) {
    const verdict = verdictOf(state.pid);
    if (verdict === 'live') live = { pid: state.pid, state };
    else stale.push({ file: statePath, pid: state.pid, reason: verdict });
  }
  // The pid file names the hub `bastion start` spawned: the one in the state file, or one still
  // starting up (no state written yet).
  if (filePid !== undefined && filePid !== live?.pid) {
    const verdict = verdictOf(filePid);
    if (verdict !== 'live') stale.push({ file: pidPath, pid: filePid, reason: verdict });
    else live ??= { pid: filePid };
  }
  return live === undefined ? { running: false, stale } : { running: true, ...live, stale };
}

// One line a user can read about a stale record.
export function describeStale(record: StaleRecord): string {
  switch (record.reason) {
    case 'dead':
      return `${record.file} named pid ${record.pid}, which is no longer running`;
    case 'not-a-hub':
      return `${record.file} named pid ${record.pid}, which is now another program (left alone)`;
    case 'unreadable':
      return `${record.file} did not hold what the hub writes`;
  }
}
