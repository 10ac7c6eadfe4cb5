import { InvalidConfigError } from '../errors/index.js';

// Where the hub binds: a host (IPv6 without brackets, as node's listen wants it) and a port.
export interface ListenAddress {
  host: string;
  port: number;
}

// Parses `HOST:PORT` (`[::1]:8765` for IPv6). Port 0 asks the system for a free one (tests).
export function parseListen(raw: string, source: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(raw.trim());
  const port = match?.[3] === undefined ? NaN : Number(match[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new InvalidConfigError(
      [
        `bastion.hub.listen: expected HOST:PORT (e.g. 127.0.0.1:8765 or [::1]:8765), got ${JSON.stringify(raw)}`,
      ],
      source,
    );
  }
  return { host, port };
}

// Whether a bind address only accepts connections from this machine.
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

// Security: tokens in clear text on a network. A hub reachable from other machines must speak
// TLS itself, or the operator must say that a TLS proxy terminates in front of it.
export function validateListenSecurity(
  address: ListenAddress,
  hasTls: boolean,
  behindTlsProxy: boolean,
  source: string,
): void {
  if (isLoopbackHost(address.host) || hasTls || behindTlsProxy) return;
  throw new InvalidConfigError(
    [
      `bastion.hub.listen: ${address.host} is reachable from other machines, and bearer tokens would cross the network in clear text. ` +
        'Set bastion.hub.tls.cert and .key, or pass --behind-tls-proxy when a TLS proxy terminates in front of the hub.',
    ],
    source,
  );
}
