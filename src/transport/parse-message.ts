import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import {
  JSONRPCErrorResponseSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
} from '@modelcontextprotocol/core';
import { describeIssues, describeValue } from './describe-issues.js';
import { measureJsonShape } from './json-shape.js';

// JSON-RPC 2.0 error codes for a message that cannot be used.
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

// Far above what any MCP message nests (tools/call arguments with edits: 5 levels) and far below
// what a recursive validator or serialiser can survive.
export const MAX_MESSAGE_DEPTH = 64;
// Values (array items, object members) one message may hold: read_multiple_files with thousands
// of paths fits; a line of [{},{},...] that would cost gigabytes once parsed does not.
export const MAX_MESSAGE_VALUES = 100_000;

const PEEK_CHARS = 256;
const ID_AT_END = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,128}")\s*}\s*$/;
const ID_AT_START =
  /^\s*{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,128}")/;

// Find the id of a request refused unparsed (too large, too many values) from the ends of its
// text (a top-level "id" is the first or the last member as clients serialise it), so it can be
// answered instead of left hanging.
export function peekRequestId(head: string, tail: string): RequestId | undefined {
  const raw = ID_AT_END.exec(tail)?.[1] ?? ID_AT_START.exec(head)?.[1];
  if (raw === undefined) return undefined;
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw);
}

export type ParsedLine =
  | { ok: true; message: JSONRPCMessage }
  // id: the request's own id when one could be read, else null (the JSON-RPC rule).
  | { ok: false; code: number; reason: string; id: RequestId | null };

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalid(reason: string, id: RequestId | null = null): ParsedLine {
  return { ok: false, code: INVALID_REQUEST, reason, id };
}

// Which of the four message kinds an object means to be, by its members.
function schemaFor(obj: Record<string, unknown>) {
  if ('method' in obj) return 'id' in obj ? JSONRPCRequestSchema : JSONRPCNotificationSchema;
  return 'error' in obj ? JSONRPCErrorResponseSchema : JSONRPCResultResponseSchema;
}

function classify(value: unknown): ParsedLine {
  if (Array.isArray(value)) {
    return invalid('batches are not supported: send one JSON-RPC message per line');
  }
  if (!isPlainObject(value)) {
    return invalid(`expected a JSON-RPC 2.0 object, got ${describeValue(value)}`);
  }
  // A response is never answered with its own id: ids are per direction, so that would read as
  // the answer to one of the client's own requests.
  const isRequest = 'method' in value && 'id' in value;
  const id = isRequest && isRequestId(value.id) ? value.id : null;
  if (value.jsonrpc !== '2.0') {
    const got =
      typeof value.jsonrpc === 'string'
        ? JSON.stringify(value.jsonrpc.slice(0, 16))
        : describeValue(value.jsonrpc);
    return invalid(`jsonrpc: expected "2.0", got ${got}`, id);
  }
  if (!('method' in value) && !('result' in value) && !('error' in value)) {
    return invalid('expected a request, notification or response: no method, result or error', id);
  }
  const parsed = schemaFor(value).safeParse(value);
  if (!parsed.success) return invalid(describeIssues(parsed.error.issues, value), id);
  return { ok: true, message: parsed.data };
}

// Turn one line of the stdio stream into a JSON-RPC message, or into the error the JSON-RPC spec
// gives for it: -32700 for text that is not JSON, -32600 for JSON that is not a message.
export function parseJsonRpcLine(line: string): ParsedLine {
  // Security: measured before parsing, so neither the parse nor the validators after it can be
  // made to build millions of values or recurse 100,000 levels deep.
  const shape = measureJsonShape(line, MAX_MESSAGE_VALUES);
  if (shape.tooManyValues) {
    const id = peekRequestId(line.slice(0, PEEK_CHARS), line.slice(-PEEK_CHARS)) ?? null;
    return invalid(`too many values: expected at most ${MAX_MESSAGE_VALUES} in one message`, id);
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return {
      ok: false,
      code: PARSE_ERROR,
      reason: 'Parse error: the message is not valid JSON',
      id: null,
    };
  }
  if (shape.depth > MAX_MESSAGE_DEPTH) {
    const id = isPlainObject(value) && 'method' in value && isRequestId(value.id) ? value.id : null;
    return invalid(`nested too deep: expected at most ${MAX_MESSAGE_DEPTH} levels`, id);
  }
  return classify(value);
}
