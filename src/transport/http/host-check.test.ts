import { describe, expect, it } from 'vitest';
import { isAllowedHost, loopbackHosts } from './host-check.js';
import { normalizeOrigin } from './origin-check.js';
import { parseBearer } from './token-auth.js';

const LOOPBACK = loopbackHosts(8765);

describe('isAllowedHost', () => {
  it.each([
    ['127.0.0.1:8765', true],
    ['localhost:8765', true],
    ['LOCALHOST:8765', true],
    ['localhost.:8765', true],
    ['[::1]:8765', true],
    ['localhost', false],
    ['localhost:8766', false],
    ['127.0.0.1:87650', false],
    ['evil.example:8765', false],
    ['localhost.evil.example:8765', false],
    ['127.0.0.1.nip.io:8765', false],
    ['localhost:8765@evil.example', false],
    ['', false],
  ])('%j -> %s', (host, allowed) => {
    expect(isAllowedHost(host, LOOPBACK)).toBe(allowed);
  });

  it('an entry without a port matches the name on any port', () => {
    expect(isAllowedHost('mcp.example.com', ['mcp.example.com'])).toBe(true);
    expect(isAllowedHost('mcp.example.com:443', ['mcp.example.com'])).toBe(true);
    expect(isAllowedHost('other.example.com', ['mcp.example.com'])).toBe(false);
  });

  it('refuses a missing Host header', () => {
    expect(isAllowedHost(undefined, LOOPBACK)).toBe(false);
  });
});

describe('normalizeOrigin', () => {
  it.each([
    ['http://localhost:8765', 'http://localhost:8765'],
    ['HTTP://LocalHost:8765', 'http://localhost:8765'],
    ['https://example.com:443', 'https://example.com'],
    ['null', undefined],
    ['file://', undefined],
    ['chrome-extension://abc', undefined],
    ['not a url', undefined],
  ])('%j -> %j', (raw, origin) => {
    expect(normalizeOrigin(raw)).toBe(origin);
  });
});

describe('parseBearer', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer  abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    ['', undefined],
  ])('%j -> %j', (header, token) => {
    expect(parseBearer(header)).toBe(token);
  });
});
