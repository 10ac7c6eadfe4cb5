import type {
  JSONRPCMessage,
  McpServer,
  McpServerFactory,
  ProtocolEra,
  RequestId,
} from '@modelcontextprotocol/server';
import { serveStdio as serveStdioEras } from '@modelcontextprotocol/server/stdio';
import type { Logger } from '../logging/logger.js';
import { trackRequests, type RequestTracker } from './request-tracker.js';
import { BastionStdioTransport } from './stdio-transport.js';

// The SDK's default cap on one incoming message (10 MiB) is below Bastion's write limit.
const SDK_DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
// JSON-RPC expansion of text allowed for: every escape JSON.stringify uses for text (\n, \t, \",
// \\) is 2 bytes per byte, and ASCII-only encoders (\uXXXX for every non-ASCII character) reach
// 3 bytes per byte at most. Only C0 control characters other than \b \t \n \f \r cost 6 (\u00XX).
const TEXT_EXPANSION = 3;
const ENVELOPE_BYTES = 1024 * 1024;

// After stdin closes: how long calls already running may take to finish, and how long a call
// given the cancel may take to wind down, before the server answers for it and exits.
const DRAIN_MS = 5_000;
const CANCEL_GRACE_MS = 2_000;
// The SDK's "connection closed" code, for a call the shutdown cut short.
const CONNECTION_CLOSED = -32000;

// The largest JSON-RPC line accepted: room for `maxPayloadBytes` of text however a standard JSON
// encoder escapes it (3x), plus the envelope. Content made mostly of other control characters
// (6x when escaped) fits up to half of the limit and gets the "message too large" answer beyond
// it. The cap bounds what one message can make the server hold (see docs/SECURITY.md).
export function maxMessageBytesFor(maxPayloadBytes: number): number {
  return Math.max(SDK_DEFAULT_MAX_MESSAGE_BYTES, TEXT_EXPANSION * maxPayloadBytes + ENVELOPE_BYTES);
}

export interface ServeStdioOptions {
  logger: Logger;
  maxMessageBytes?: number;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function waitForEnd(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once('end', () => resolve('stdin closed'));
    process.stdin.once('close', () => resolve('stdin closed'));
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => resolve(signal));
    }
  });
}

// Let the calls already read finish and answer them; after DRAIN_MS cancel the rest, still
// answering each with its own outcome (the SDK drops an answer once a call is cancelled), and
// after CANCEL_GRACE_MS answer whatever still runs as cut short.
async function drain(
  transport: BastionStdioTransport,
  tracker: RequestTracker,
  logger: Logger,
): Promise<void> {
  // Handlers of the last messages read start in the microtasks after their data event; the SDK
  // sends a handler's answer in the microtasks after it settles: a macrotask turn covers both.
  await nextTurn();
  if (await tracker.whenIdle(DRAIN_MS)) {
    await nextTurn();
    return;
  }
  const answered = transport.watchAnswers();
  const answer = (id: RequestId, reply: object): void => {
    if (answered(id)) return;
    void transport.send({ jsonrpc: '2.0', id, ...reply } as JSONRPCMessage);
  };
  tracker.adoptRunning((id, outcome) => {
    // The SDK sends an answer it did not drop in the microtasks after the handler settles.
    setImmediate(() =>
      answer(id, outcome.ok ? { result: outcome.result } : { error: outcome.error }),
    );
  });
  const running = tracker.running();
  logger.warn(
    { running: running.length, afterMs: DRAIN_MS },
    'shutdown: cancelling calls still running',
  );
  for (const requestId of running) {
    transport.inject({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId, reason: 'the server is shutting down' },
    });
  }
  if (await tracker.whenIdle(CANCEL_GRACE_MS)) {
    // Adopted answers go out on the next turn (see above); one more turn sends them.
    await nextTurn();
    await nextTurn();
    return;
  }
  const stuck = tracker.running();
  logger.warn({ running: stuck.length }, 'shutdown: calls did not stop after cancel; exiting');
  for (const id of stuck) {
    answer(id, {
      error: {
        code: CONNECTION_CLOSED,
        message: 'Cancelled: the server shut down before this call finished.',
      },
    });
  }
}

// Builds the server instance that serves one connection, in the era its client opened with.
export type ServerFactory = (era: ProtocolEra) => McpServer;

// Host one MCP server on stdin/stdout, in the era the client speaks: the SDK's serveStdio reads
// the opening message (server/discover + per-request _meta for 2026-07-28, initialize for the
// 2025 revisions) and pins one instance from `factory`; Bastion's transport carries the bytes.
// Resolves when the client goes away (stdin closes) or a termination signal arrives, once the
// calls in flight have been answered (bounded) and `onClose` has released everything the server
// holds (the audit log last: after every call).
export async function serveStdio(
  factory: ServerFactory,
  onClose: () => Promise<void>,
  options: ServeStdioOptions,
): Promise<void> {
  const { logger } = options;
  // The tracker of the instance serving the connection (a discarded probe instance is closed).
  let tracker: RequestTracker = trackRequests(undefined);
  const transport = new BastionStdioTransport(process.stdin, process.stdout, {
    maxMessageBytes: options.maxMessageBytes ?? SDK_DEFAULT_MAX_MESSAGE_BYTES,
    logger,
  });
  const pinned: McpServerFactory = ({ era }) => {
    const mcp = factory(era);
    tracker = trackRequests(mcp);
    mcp.server.onerror = (err) => {
      logger.warn({ err: err.message.slice(0, 200) }, 'MCP protocol error');
    };
    logger.info({ era }, 'serving a client');
    return mcp;
  };
  const handle = serveStdioEras(pinned, {
    transport,
    onerror: (err) => logger.warn({ err: err.message.slice(0, 200) }, 'MCP protocol error'),
  });
  const reason = await waitForEnd();
  logger.info({ reason, running: tracker.running().length }, 'shutting down');
  transport.stopReading();
  await drain(transport, tracker, logger);
  await handle.close().catch(() => undefined);
  await onClose();
  await transport.flush();
}
