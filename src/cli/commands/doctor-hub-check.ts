import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { InvalidConfigError } from '../../errors/index.js';
import { isLoopbackHost, parseListen } from '../../hub/listen-address.js';
import type { CheckResult } from './doctor-checks.js';

// What the hub's listen settings mean for its exposure: loopback (fine), TLS (its files must be
// readable), a declared TLS proxy (a warning: tokens travel in clear text up to it), or plain
// HTTP on the network (the hub refuses to start).
export function checkHub(config: Config | undefined, baseDir: string): CheckResult {
  const name = 'hub';
  if (!config) return { name, status: 'warn', detail: 'not checked: the config did not load' };
  const hub = config.hub;
  let host: string;
  try {
    host = parseListen(hub.listen, config.source).host;
  } catch (err) {
    return {
      name,
      status: 'fail',
      detail: err instanceof InvalidConfigError ? err.message : String(err),
    };
  }
  if (hub.tls) {
    for (const file of [hub.tls.cert, hub.tls.key]) {
      const resolved = path.resolve(baseDir, file);
      try {
        accessSync(resolved, constants.R_OK);
      } catch {
        return { name, status: 'fail', detail: `TLS file not readable: ${resolved}` };
      }
    }
    return { name, status: 'ok', detail: `listens on ${hub.listen} with TLS` };
  }
  if (isLoopbackHost(host))
    return { name, status: 'ok', detail: `listens on ${hub.listen} (loopback only)` };
  if (hub.behindTlsProxy) {
    return {
      name,
      status: 'warn',
      detail: `plain HTTP on ${hub.listen}, trusting a TLS proxy in front: tokens cross the network unencrypted up to it`,
    };
  }
  return {
    name,
    status: 'warn',
    detail: `${hub.listen} is reachable from other machines without TLS: \`bastion hub\` refuses it unless --behind-tls-proxy; set bastion.hub.tls`,
  };
}
