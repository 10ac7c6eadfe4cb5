import { randomUUID } from 'node:crypto';
import type { CommandPolicy, Root } from '../../../config/index.js';
import { InvalidInputError, LimitExceededError } from '../../../errors/index.js';
import { waitForStreamsClosed, type SandboxedProcess } from '../../../sandbox/index.js';
import { createOutputBuffer, type BufferedOutput } from './output-buffer.js';
import type { InputCheck } from '../input-check.js';

// Input queued for a program that is not reading; beyond this, send_input is refused.
const MAX_PENDING_INPUT_BYTES = 1024 * 1024;

// Why a session stopped: its program ended, or Bastion killed it.
export type SessionEnd =
  'exited' | 'killed' | 'idle-timeout' | 'lifetime-exceeded' | 'server-closed';

// What one read_output returns.
export interface SessionSnapshot extends BufferedOutput {
  sessionId: string;
  running: boolean;
  exitCode: number | null;
  signal: string | null;
  end: SessionEnd | null;
}

// One long-running sandboxed program with open stdin and a bounded output buffer.
export interface ShellSession {
  readonly id: string;
  readonly command: string;
  readonly cwd: string;
  readonly root: Root;
  readonly policy: CommandPolicy;
  readonly inputCheck: InputCheck;
  readonly startedAt: number;
  readonly running: boolean;
  readonly lastActivityAt: number;
  readonly unreadBytes: number;
  // Queue input for the program; never waits for it to be read.
  write(input: string): void;
  read(waitMs: number, signal: AbortSignal): Promise<SessionSnapshot>;
  kill(reason: SessionEnd): Promise<void>;
  // Mark activity (send/read): postpones the idle deadline.
  touch(): void;
}

// Wrap a spawned process; `onEnd` fires once when it is gone, whatever the reason.
export function createShellSession(options: {
  process: SandboxedProcess;
  command: string;
  cwd: string;
  root: Root;
  policy: CommandPolicy;
  inputCheck: InputCheck;
  bufferBytes: number;
  onEnd: (session: ShellSession, end: SessionEnd) => void;
}): ShellSession {
  const proc = options.process;
  const buffer = createOutputBuffer(options.bufferBytes);
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  let running = true;
  let exitCode: number | null = null;
  let signal: string | null = null;
  let end: SessionEnd | null = null;
  let killReason: SessionEnd | null = null;
  let lastActivityAt = Date.now();

  const onData = (chunk: Buffer): void => {
    buffer.push(chunk);
    wake();
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  // A program that exits or closes stdin makes later writes fail with EPIPE; report, don't crash.
  proc.stdin.on('error', () => undefined);

  const snapshot = (): SessionSnapshot => ({
    sessionId: session.id,
    ...buffer.take(),
    running,
    exitCode,
    signal,
    end,
  });

  const session: ShellSession = {
    id: randomUUID(),
    command: options.command,
    cwd: options.cwd,
    root: options.root,
    policy: options.policy,
    inputCheck: options.inputCheck,
    startedAt: Date.now(),
    get running() {
      return running;
    },
    get lastActivityAt() {
      return lastActivityAt;
    },
    get unreadBytes() {
      return buffer.unreadBytes;
    },
    touch() {
      lastActivityAt = Date.now();
    },
    write(input) {
      if (!running || !proc.stdin.writable) {
        throw new InvalidInputError(`session ${session.id}: the program no longer reads its input`);
      }
      // Security: a program that never reads its stdin must not make the server queue input forever.
      if (proc.stdin.writableLength > MAX_PENDING_INPUT_BYTES) {
        throw new LimitExceededError(
          `session ${session.id}: the program has not read the previous input yet ` +
            `(${proc.stdin.writableLength} bytes pending); read_output to see what it is doing`,
        );
      }
      proc.stdin.write(input);
    },
    async read(waitMs, abort) {
      if (buffer.unreadBytes === 0 && running && waitMs > 0 && !abort.aborted) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            waiters.delete(done);
            abort.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          waiters.add(done);
          abort.addEventListener('abort', done, { once: true });
        });
      }
      return snapshot();
    },
    async kill(reason) {
      if (!running) return;
      killReason ??= reason;
      await proc.kill();
      await ended;
    },
  };

  // A session reports that it ended only once its output streams have closed (bounded): Node
  // may fire the child's exit before stdout and stderr are drained, and a reader that sees
  // `running: false` with nothing unread stops, losing the program's last words.
  const ended = proc.exited
    .then(
      (status) => status,
      () => ({ code: null, signal: null }),
    )
    .then(async (status) => {
      await waitForStreamsClosed([proc.stdout, proc.stderr]);
      running = false;
      exitCode = status.code;
      signal = status.signal;
      end = killReason ?? 'exited';
      wake();
      options.onEnd(session, end);
    });
  return session;
}
