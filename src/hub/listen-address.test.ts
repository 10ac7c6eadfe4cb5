import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors/index.js';
import { isLoopbackHost, parseListen, validateListenSecurity } from './listen-address.js';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8765', { host: '127.0.0.1', port: 8765 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['0.0.0.0:443', { host: '0.0.0.0', port: 443 }],
    ['localhost:1', { host: 'localhost', port: 1 }],
  ])('%j', (raw, address) => {
    expect(parseListen(raw, 'test')).toEqual(address);
  });

  it.each(['8765', '127.0.0.1', '127.0.0.1:70000', '::1:8765', 'host:port', ' :80'])(
    'refuses %j',
    (raw) => {
      expect(() => parseListen(raw, 'test')).toThrow(InvalidConfigError);
    },
  );
});

describe('validateListenSecurity', () => {
  it('allows loopback, TLS, or a declared proxy; refuses plain HTTP on the network', () => {
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(() =>
      validateListenSecurity({ host: '127.0.0.1', port: 1 }, false, false, 't'),
    ).not.toThrow();
    expect(() =>
      validateListenSecurity({ host: '0.0.0.0', port: 1 }, true, false, 't'),
    ).not.toThrow();
    expect(() =>
      validateListenSecurity({ host: '0.0.0.0', port: 1 }, false, true, 't'),
    ).not.toThrow();
    expect(() => validateListenSecurity({ host: '0.0.0.0', port: 1 }, false, false, 't')).toThrow(
      /--behind-tls-proxy/,
    );
    expect(() => validateListenSecurity({ host: '::', port: 1 }, false, false, 't')).toThrow(
      InvalidConfigError,
    );
  });
});
