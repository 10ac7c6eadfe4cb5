import type { Readable, Writable } from 'node:stream';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineFramer } from './line-framer.js';

// JSON-RPC "invalid request" code, for a message too large to read.
const INVALID_REQUEST = -32600;

const ID_AT_END = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,128}")\s*}\s*$/;
const ID_AT_START =
  /^\s*{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,128}")/;

// Find the id of an oversized request from the ends of its line (a top-level "id" is the first or
// the last member as clients serialise it), so it can be answered instead of left hanging.
function peekRequestId(head: Buffer, tail: Buffer): string | number | undefined {
  const raw =
    ID_AT_END.exec(tail.toString('utf8'))?.[1] ?? ID_AT_START.exec(head.toString('utf8'))?.[1];
  if (raw === undefined) return undefined;
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw);
}

// The MCP stdio transport (newline-delimited JSON-RPC), with linear-time framing and a size cap
// that answers an oversized request with an error instead of closing the connection.
export class BastionStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly framer: LineFramer;
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxMessageBytes: number,
  ) {
    this.framer = new LineFramer(maxMessageBytes, (head, tail) => this.rejectOversized(head, tail));
  }

  private readonly onData = (chunk: Buffer): void => {
    for (const line of this.framer.push(chunk)) {
      if (line.trim() === '') continue;
      try {
        this.onmessage?.(deserializeMessage(line));
      } catch (err) {
        this.onerror?.(err as Error);
      }
    }
  };

  private readonly onStreamError = (err: Error): void => {
    this.onerror?.(err);
  };

  start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onStreamError);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(serializeMessage(message))) resolve();
      else this.output.once('drain', resolve);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('error', this.onStreamError);
    if (this.input.listenerCount('data') === 0) this.input.pause();
    this.onclose?.();
    return Promise.resolve();
  }

  private rejectOversized(head: Buffer, tail: Buffer): void {
    const id = peekRequestId(head, tail);
    const message = `Message too large: expected at most ${this.maxMessageBytes} bytes per JSON-RPC message. Send less content per call (for example, write a large file in appended parts).`;
    this.onerror?.(new Error(message));
    if (id !== undefined) {
      void this.send({ jsonrpc: '2.0', id, error: { code: INVALID_REQUEST, message } });
    }
  }
}
