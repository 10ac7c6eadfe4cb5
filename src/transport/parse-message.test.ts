import { describe, expect, it } from 'vitest';
import {
  INVALID_REQUEST,
  MAX_MESSAGE_DEPTH,
  MAX_MESSAGE_VALUES,
  PARSE_ERROR,
  parseJsonRpcLine,
} from './parse-message.js';

// Every line a client can send that is not a usable JSON-RPC message gets the code the JSON-RPC
// 2.0 spec gives it, and the request's own id only when a valid one can be read.
describe('parseJsonRpcLine', () => {
  it.each([
    ['truncated JSON', '{"jsonrpc":"2.0","id":5,"method":"ping"', PARSE_ERROR, null],
    ['not JSON at all', 'hello', PARSE_ERROR, null],
    ['an object that is no message', '{"hello":1}', INVALID_REQUEST, null],
    ['no jsonrpc member', '{"id":3,"method":"ping"}', INVALID_REQUEST, 3],
    ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":"a","method":"ping"}', INVALID_REQUEST, 'a'],
    ['a batch', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', INVALID_REQUEST, null],
    ['an empty batch', '[]', INVALID_REQUEST, null],
    ['a number', '42', INVALID_REQUEST, null],
    ['null', 'null', INVALID_REQUEST, null],
    ['an object id', '{"jsonrpc":"2.0","id":{},"method":"ping"}', INVALID_REQUEST, null],
    ['a fractional id', '{"jsonrpc":"2.0","id":1.5,"method":"ping"}', INVALID_REQUEST, null],
    [
      'params not an object',
      '{"jsonrpc":"2.0","id":4,"method":"ping","params":"x"}',
      INVALID_REQUEST,
      4,
    ],
    ['a method that is no string', '{"jsonrpc":"2.0","id":6,"method":7}', INVALID_REQUEST, 6],
    ['an unknown member', '{"jsonrpc":"2.0","id":8,"method":"ping","x":1}', INVALID_REQUEST, 8],
    // A response is never answered with its id: ids are per direction.
    ['a malformed response', '{"jsonrpc":"2.0","id":0,"result":5}', INVALID_REQUEST, null],
  ])('%s', (_name, line, code, id) => {
    const parsed = parseJsonRpcLine(line);
    expect(parsed).toMatchObject({ ok: false, code, id });
    if (!parsed.ok) expect(parsed.reason.length).toBeLessThan(120);
  });

  it('says what was wrong in one short line', () => {
    const parsed = parseJsonRpcLine('{"jsonrpc":"1.0","id":4,"method":"ping"}');
    expect(parsed).toMatchObject({ reason: 'jsonrpc: expected "2.0", got "1.0"' });
  });

  it('passes requests, notifications and responses through', () => {
    for (const line of [
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,{"b":2}]}}}',
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":"r1","result":{"roots":[]}}',
      '{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"no"}}',
    ]) {
      expect(parseJsonRpcLine(line), line).toMatchObject({ ok: true, message: JSON.parse(line) });
    }
  });

  it('refuses a 100,000-deep array, whole or truncated, without recursing', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseJsonRpcLine(deep)).toMatchObject({ ok: false, code: INVALID_REQUEST });
    expect(parseJsonRpcLine('['.repeat(100_000))).toMatchObject({ ok: false, code: PARSE_ERROR });
    const deepParams = `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"x","arguments":{"a":${'['.repeat(MAX_MESSAGE_DEPTH)}${']'.repeat(MAX_MESSAGE_DEPTH)}}}}`;
    expect(parseJsonRpcLine(deepParams)).toMatchObject({ ok: false, code: INVALID_REQUEST, id: 9 });
  });

  it('refuses a message of millions of tiny values before parsing it', () => {
    const wide = `[${'{},'.repeat(MAX_MESSAGE_VALUES)}{}]`;
    expect(parseJsonRpcLine(wide)).toMatchObject({ ok: false, code: INVALID_REQUEST });
  });

  it('does not count brackets, commas or escaped quotes inside strings', () => {
    const content = `[{,\\"x\\\\`.repeat(MAX_MESSAGE_VALUES);
    const line = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { content } });
    expect(parseJsonRpcLine(line)).toMatchObject({ ok: true });
  });
});
