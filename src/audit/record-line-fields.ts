import { hashBodyJson } from './chain.js';

// The chain fields of one log line as the writer lays it out, read from the file's bytes:
// `{"time":"…","stream":"…","seq":N,"prev":"<64 hex>",` first and `,"hash":"<64 hex>"}` (or
// `…,"mac":"<64 hex>"}`) last. The record's hash covers the bytes in between as one object, so
// checking it needs neither a UTF-8 decode nor a JSON parse of the line: verification runs at
// the speed of sha256. A line of any other shape is left to the caller (undefined).
export interface LineFields {
  stream: string;
  seq: number;
  prev: string;
  hash: string;
  mac?: string;
  // The sha256 (hex) of the line's body: the line with its hash and MAC fields cut off.
  bodyHash: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const HEAD_TIME = Buffer.from('{"time":"');
const AFTER_TIME = Buffer.from('","stream":"');
const AFTER_STREAM = Buffer.from('","seq":');
const AFTER_SEQ = Buffer.from(',"prev":"');
const AFTER_PREV = Buffer.from('",');
const HASH_FIELD = Buffer.from(',"hash":"');
const MAC_FIELD = Buffer.from('","mac":"');
const HEX_LENGTH = 64;

function startsWithAt(data: Buffer, at: number, end: number, text: Buffer): boolean {
  if (at + text.length > end) return false;
  for (let i = 0; i < text.length; i += 1) if (data[at + i] !== text[i]) return false;
  return true;
}

// Lowercase hex only, as the writer prints it.
function isHexAt(data: Buffer, at: number, end: number): boolean {
  if (at + HEX_LENGTH > end) return false;
  for (let i = at; i < at + HEX_LENGTH; i += 1) {
    const c = data[i]!;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

// The end of a JSON string's content from `at` (the index of its closing quote), or -1 at a
// backslash (an escape: the writer's chain fields never hold one) or the end of the line.
function stringEnd(data: Buffer, at: number, end: number): number {
  for (let i = at; i < end; i += 1) {
    const c = data[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}

// The hash and MAC fields at the end of [start, end), or undefined: `,"hash":"H"}` or
// `,"hash":"H","mac":"M"}`.
function tailAt(
  data: Buffer,
  start: number,
  end: number,
): { at: number; hash: string; mac?: string } | undefined {
  if (data[end - 1] !== CLOSE_BRACE) return undefined;
  const at = data.lastIndexOf(HASH_FIELD, end - 1);
  if (at < start) return undefined;
  const hashAt = at + HASH_FIELD.length;
  if (!isHexAt(data, hashAt, end)) return undefined;
  const hash = data.toString('latin1', hashAt, hashAt + HEX_LENGTH);
  const after = hashAt + HEX_LENGTH;
  if (after + 2 === end && data[after] === QUOTE) return { at, hash };
  const macAt = after + MAC_FIELD.length;
  if (
    startsWithAt(data, after, end, MAC_FIELD) &&
    isHexAt(data, macAt, end) &&
    macAt + HEX_LENGTH + 2 === end &&
    data[macAt + HEX_LENGTH] === QUOTE
  )
    return { at, hash, mac: data.toString('latin1', macAt, macAt + HEX_LENGTH) };
  return undefined;
}

// The sha256 of [start, at) followed by `}`: the byte at `at` (the comma before "hash") is set
// to `}` for the hash and put back, so the body is hashed where it lies, without a copy.
function bodyHashOf(data: Buffer, start: number, at: number): string {
  const saved = data[at]!;
  data[at] = CLOSE_BRACE;
  try {
    return hashBodyJson(data.subarray(start, at + 1));
  } finally {
    data[at] = saved;
  }
}

export function readLineFields(
  data: Buffer,
  start: number,
  end: number,
  // The stream field of the line before in the same buffer, to reuse its decoded id.
  previousStream?: { start: number; end: number; value: string },
): (LineFields & { streamStart: number; streamEnd: number }) | undefined {
  if (!startsWithAt(data, start, end, HEAD_TIME)) return undefined;
  const timeEnd = stringEnd(data, start + HEAD_TIME.length, end);
  if (timeEnd < 0 || !startsWithAt(data, timeEnd, end, AFTER_TIME)) return undefined;
  const streamStart = timeEnd + AFTER_TIME.length;
  const streamEnd = stringEnd(data, streamStart, end);
  if (streamEnd <= streamStart || !startsWithAt(data, streamEnd, end, AFTER_STREAM))
    return undefined;
  let at = streamEnd + AFTER_STREAM.length;
  let seq = 0;
  const digitsStart = at;
  while (at < end && data[at]! >= 0x30 && data[at]! <= 0x39) {
    seq = seq * 10 + (data[at]! - 0x30);
    at += 1;
  }
  if (at === digitsStart || !startsWithAt(data, at, end, AFTER_SEQ)) return undefined;
  const prevAt = at + AFTER_SEQ.length;
  if (!isHexAt(data, prevAt, end)) return undefined;
  if (!startsWithAt(data, prevAt + HEX_LENGTH, end, AFTER_PREV)) return undefined;
  const tail = tailAt(data, prevAt + HEX_LENGTH + AFTER_PREV.length - 1, end);
  if (tail === undefined) return undefined;
  // One stream writes runs of records: its id is decoded once per run.
  const sameStream =
    previousStream !== undefined &&
    data.compare(data, previousStream.start, previousStream.end, streamStart, streamEnd) === 0;
  return {
    stream: sameStream ? previousStream.value : data.toString('utf8', streamStart, streamEnd),
    seq,
    prev: data.toString('latin1', prevAt, prevAt + HEX_LENGTH),
    hash: tail.hash,
    ...(tail.mac !== undefined ? { mac: tail.mac } : {}),
    bodyHash: bodyHashOf(data, start, tail.at),
    streamStart,
    streamEnd,
  };
}
