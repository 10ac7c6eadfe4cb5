import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import {
  encodeKill,
  encodeLaunch,
  encodeOpaqueQuery,
  encodePrepareOverlay,
  type OverlayMount,
  encodeRelease,
  parseAnswer,
  parseEvent,
  type ExitEvent,
  type LaunchRequest,
} from './protocol.js';
import { signalNumber } from './signals.js';

// How long a new launcher may take to say "ready".
const READY_TIMEOUT_MS = 5_000;

// The launcher refused a launch (errno and the step that failed, e.g. "exec", "cgroup").
export class LaunchRefusedError extends Error {
  constructor(
    readonly errno: number,
    readonly step: string,
  ) {
    super(`the launcher could not start the command (${step}: errno ${errno})`);
    this.name = 'LaunchRefusedError';
  }
}

// A started child: its host pid and the server's ends of its stdio pipes.
export interface LaunchedChild {
  pid: number;
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
}

// A running native/launcher.c: starts commands synchronously (pid and pipes at once), reports
// their exits, signals them race-free. One per Sandbox; it dies with the server.
export interface Launcher {
  readonly pid: number;
  // The static mounts asked at start are in place in its mount namespace (every sandbox it
  // starts inherits them), so plans need not repeat them.
  readonly staticMounts: boolean;
  isAlive(): boolean;
  // Throws LaunchRefusedError when the launcher answered with an error, or Error when it is gone.
  launch(req: LaunchRequest, onExit: (event: ExitEvent) => void): LaunchedChild;
  // Signal a child (or its process group) the launcher has not reaped yet; false if it has.
  signal(pid: number, signal: NodeJS.Signals, group: boolean): boolean;
  // Whether an overlay upper dir is opaque (xattr trusted.overlay.opaque, which Node cannot read).
  isOpaque(dir: string): boolean;
  // Make an overlay ahead of its command; its id for OverlayMount.prepared, or null if refused.
  prepareOverlay(o: OverlayMount): number | null;
  close(): void;
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
}

// One answer line; the launcher writes each one whole and only in reply to a request.
function readLine(fd: number): string {
  const buf = Buffer.alloc(256);
  let line = '';
  while (!line.endsWith('\n')) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) throw new Error('the launcher closed its answer pipe');
    line += buf.toString('latin1', 0, n);
  }
  return line;
}

// The server's own descriptor of one of the launcher's fds (a pipe end), via /proc.
function openLauncherFd(launcherPid: number, fd: number, flags: 'r' | 'w'): number {
  return openSync(`/proc/${launcherPid}/fd/${fd}`, flags);
}

function pipeSocket(fd: number, readable: boolean): Socket {
  return new Socket({ fd, readable, writable: !readable });
}

function waitReady(
  child: ChildProcess,
): Promise<{ reqFd: number; respFd: number; staticMounts: boolean }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => fail(new Error('the launcher did not start in time')),
      READY_TIMEOUT_MS,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.kill('SIGKILL');
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\n');
      if (end < 0) return;
      const event = parseEvent(text.slice(0, end));
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      if (event?.kind !== 'ready') return fail(new Error('the launcher did not say ready'));
      resolve(event);
    };
    child.stdout?.on('data', onData);
    child.once('error', fail);
    child.once('exit', () => fail(new Error('the launcher exited at start')));
  });
}

// Start the launcher binary and connect to it; rejects (the caller falls back) if it cannot.
// `staticMounts`: launcher options (-d SRC DEST, -m DEST, -t DEST) for a root server's mounts
// that every sandbox shares (see native/launcher.c).
export async function startLauncher(
  binary: string,
  staticMounts: readonly string[] = [],
): Promise<Launcher> {
  // Security: argv array, empty env; its stdin stays open for its whole life: EOF (our death)
  // makes it kill every sandbox it started.
  const child = spawn(binary, [String(process.pid), ...staticMounts], {
    cwd: '/',
    env: {},
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await waitReady(child);
  const launcherPid = child.pid ?? -1;
  const reqFd = openLauncherFd(launcherPid, ready.reqFd, 'w');
  const respFd = openLauncherFd(launcherPid, ready.respFd, 'r');
  const waiting = new Map<number, (event: ExitEvent) => void>();
  let alive = true;
  let events = '';
  const control = [child.stdin as unknown as Socket, child.stdout as unknown as Socket];
  // An idle launcher must not keep the server's event loop alive; a running command does.
  const holdLoop = () => {
    for (const s of control) {
      if (waiting.size > 0) s.ref();
      else s.unref();
    }
    if (waiting.size > 0) child.ref();
    else child.unref();
  };
  const dispatch = (event: ExitEvent) => {
    const onExit = waiting.get(event.pid);
    waiting.delete(event.pid);
    holdLoop();
    onExit?.(event);
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    events += chunk.toString('latin1');
    for (let end = events.indexOf('\n'); end >= 0; end = events.indexOf('\n')) {
      const event = parseEvent(events.slice(0, end));
      events = events.slice(end + 1);
      if (event?.kind === 'exit') dispatch(event);
    }
  });
  child.stdin?.on('error', () => undefined);
  child.once('exit', () => {
    alive = false;
    for (const fd of [reqFd, respFd]) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
    // Its children had PR_SET_PDEATHSIG(SIGKILL): they are gone too.
    for (const pid of [...waiting.keys()]) dispatch({ pid, code: null, signal: 9 });
  });
  holdLoop();

  const request = (frame: Buffer): string => {
    if (!alive) throw new Error('the launcher is not running');
    try {
      writeAll(reqFd, frame);
      return readLine(respFd);
    } catch (err) {
      // A broken channel means it is gone (or going): later launches start from Node.
      alive = false;
      throw err;
    }
  };

  return {
    pid: launcherPid,
    staticMounts: ready.staticMounts,
    isAlive: () => alive,
    launch(req, onExit) {
      const answer = parseAnswer(request(encodeLaunch(req)));
      if (!answer.ok) throw new LaunchRefusedError(answer.errno, answer.step);
      const [pid, inFd, outFd, errFd] = answer.numbers as [number, number, number, number];
      waiting.set(pid, onExit);
      holdLoop();
      const opened: number[] = [];
      try {
        opened.push(openLauncherFd(launcherPid, inFd, 'w'));
        opened.push(openLauncherFd(launcherPid, outFd, 'r'));
        opened.push(openLauncherFd(launcherPid, errFd, 'r'));
      } catch (err) {
        for (const fd of opened) closeSync(fd);
        request(encodeKill(pid, 9, true));
        throw err;
      } finally {
        writeAll(reqFd, encodeRelease(pid));
      }
      const [stdin, stdout, stderr] = opened as [number, number, number];
      return {
        pid,
        stdin: pipeSocket(stdin, false),
        stdout: pipeSocket(stdout, true),
        stderr: pipeSocket(stderr, true),
      };
    },
    signal(pid, sig, group) {
      if (!alive) return false;
      return parseAnswer(request(encodeKill(pid, signalNumber(sig), group))).ok;
    },
    isOpaque(dir) {
      const answer = parseAnswer(request(encodeOpaqueQuery(dir)));
      if (!answer.ok)
        throw new Error(`could not read the overlay mark of a staged dir (errno ${answer.errno})`);
      return answer.numbers[0] === 1;
    },
    prepareOverlay(o) {
      if (!alive) return null;
      const answer = parseAnswer(request(encodePrepareOverlay(o)));
      return answer.ok ? (answer.numbers[0] ?? null) : null;
    },
    close() {
      if (!alive) return;
      alive = false;
      // EOF on its stdin: it kills whatever is left and exits.
      child.stdin?.end();
    },
  };
}
