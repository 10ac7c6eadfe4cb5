import type { Readable, Writable } from 'node:stream';
import { serializeMessage } from '@modelcontextprotocol/server';
import type { Transport, JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import type { Logger } from '../logging/logger.js';
import { LineFramer } from './line-framer.js';
import { INVALID_REQUEST, PARSE_ERROR, parseJsonRpcLine, peekRequestId } from './parse-message.js';

// How much of a refused message the log shows: enough to recognise it, not to leak its content.
const LOG_PREFIX_CHARS = 48;

export interface StdioTransportOptions {
  maxMessageBytes: number;
  logger: Logger;
}

// The MCP stdio transport (newline-delimited JSON-RPC), with linear-time framing, a size cap that
// answers an oversized request instead of closing the connection, and the JSON-RPC answer
// (-32700 / -32600, logged to stderr) for every line that is not a usable message.
export class BastionStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly framer: LineFramer;
  private readonly maxMessageBytes: number;
  private readonly logger: Logger;
  private reading = false;
  private closed = false;
  // Ids of the answers sent since a shutdown began watching (see watchAnswers).
  private answers: Set<RequestId> | undefined;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    options: StdioTransportOptions,
  ) {
    this.maxMessageBytes = options.maxMessageBytes;
    this.logger = options.logger;
    this.framer = new LineFramer(this.maxMessageBytes, (head, tail) =>
      this.rejectOversized(head, tail),
    );
  }

  private readonly onData = (chunk: Buffer): void => {
    for (const line of this.framer.push(chunk)) this.handleLine(line);
  };

  private readonly onEnd = (): void => {
    for (const line of this.framer.end()) this.handleLine(line);
  };

  private readonly onStreamError = (err: Error): void => {
    this.onerror?.(err);
  };

  start(): Promise<void> {
    this.reading = true;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onStreamError);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (
      this.answers &&
      'id' in message &&
      message.id !== undefined &&
      ('result' in message || 'error' in message)
    ) {
      this.answers.add(message.id);
    }
    return new Promise((resolve) => {
      if (this.output.write(serializeMessage(message))) resolve();
      else this.output.once('drain', resolve);
    });
  }

  // Take no more input (shutdown has begun); answers can still be sent.
  stopReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onStreamError);
    if (this.input.listenerCount('data') === 0) this.input.pause();
  }

  // Hand a message to the server as if it had arrived (the host uses it to cancel calls).
  inject(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }

  // From now on, remember which requests have been answered: a shutdown answers each call once.
  watchAnswers(): (id: RequestId) => boolean {
    const answers = (this.answers ??= new Set());
    return (id) => answers.has(id);
  }

  // Resolves once everything sent so far has left the process.
  flush(): Promise<void> {
    if (this.output.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => this.output.write('', () => resolve()));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.stopReading();
    this.onclose?.();
    return Promise.resolve();
  }

  private handleLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseJsonRpcLine(line);
    if (parsed.ok) {
      this.onmessage?.(parsed.message);
      return;
    }
    this.reject(parsed, line);
  }

  private reject(
    refusal: { code: number; reason: string; id: RequestId | null },
    line: string,
  ): void {
    const { code, reason, id } = refusal;
    this.logger.warn(
      { code, id, chars: line.length, prefix: line.slice(0, LOG_PREFIX_CHARS) },
      `refused a JSON-RPC message: ${reason}`,
    );
    // JSON-RPC answers an unreadable message with id null; the SDK's types want an id, the wire
    // format is what the spec says.
    const message = code === PARSE_ERROR ? reason : `Invalid request: ${reason}`;
    void this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
  }

  private rejectOversized(head: Buffer, tail: Buffer): void {
    const id = peekRequestId(head.toString('utf8'), tail.toString('utf8')) ?? null;
    const message = `Message too large: expected at most ${this.maxMessageBytes} bytes per JSON-RPC message. Send less content per call (for example, write a large file in appended parts).`;
    this.logger.warn(
      { code: INVALID_REQUEST, id, prefix: head.toString('utf8').slice(0, LOG_PREFIX_CHARS) },
      `refused a JSON-RPC message: over ${this.maxMessageBytes} bytes`,
    );
    void this.send({
      jsonrpc: '2.0',
      id,
      error: { code: INVALID_REQUEST, message },
    } as unknown as JSONRPCMessage);
  }
}
