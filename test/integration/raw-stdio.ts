import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI_PATH, legacyInitialize, REPO_ROOT } from '../helpers/mcp-client.js';

// One JSON-RPC line the server wrote to stdout.
export type Reply = { id?: unknown; result?: unknown; error?: { code: number; message: string } };

// The built server driven with raw bytes: no SDK client in between, so malformed input reaches
// it exactly as written and every byte it answers is seen.
export interface RawServer {
  child: ChildProcessWithoutNullStreams;
  write(bytes: string | Buffer): void;
  // Close stdin (the client went away).
  end(): void;
  replies(): Reply[];
  stderr(): string;
  // Resolves once everything written to stderr so far satisfies `match` (stderr is its own pipe:
  // a line logged before an answer may arrive after it).
  waitForStderr(match: (text: string) => boolean): Promise<string>;
  // Resolves with the first reply matching `match`, waiting as long as the test allows.
  waitFor(match: (reply: Reply) => boolean): Promise<Reply>;
  // initialize + initialized, as a client does before any call.
  initialize(): Promise<void>;
  exited: Promise<number | null>;
}

// Spawn `bastion serve <server> <args>` from dist/cli/main.js (`npm run build` first).
export function spawnRaw(server: 'files' | 'shell', args: string[]): RawServer {
  const child = spawn(process.execPath, [CLI_PATH, 'serve', server, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const replies: Reply[] = [];
  const waiters: { match: (reply: Reply) => boolean; resolve: (reply: Reply) => void }[] = [];
  let pending = '';
  let stderr = '';
  const stderrWaiters: { match: (text: string) => boolean; resolve: (text: string) => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      const reply = JSON.parse(pending.slice(0, nl)) as Reply;
      pending = pending.slice(nl + 1);
      replies.push(reply);
      for (const waiter of waiters.filter((w) => w.match(reply))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(reply);
      }
      nl = pending.indexOf('\n');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const waiter of stderrWaiters.filter((w) => w.match(stderr))) {
      stderrWaiters.splice(stderrWaiters.indexOf(waiter), 1);
      waiter.resolve(stderr);
    }
  });
  // A server that exits early must not fail a test with EPIPE instead of the real assertion.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const waitFor = (match: (reply: Reply) => boolean): Promise<Reply> => {
    const seen = replies.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  const write = (bytes: string | Buffer): void => {
    child.stdin.write(bytes);
  };
  return {
    child,
    write,
    end: () => child.stdin.end(),
    replies: () => replies,
    stderr: () => stderr,
    waitForStderr: (match) =>
      match(stderr)
        ? Promise.resolve(stderr)
        : new Promise((resolve) => stderrWaiters.push({ match, resolve })),
    waitFor,
    initialize: async () => {
      write(`${JSON.stringify(legacyInitialize('raw-test', 'init'))}\n`);
      await waitFor((reply) => reply.id === 'init');
      write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    },
    exited,
  };
}
