import path from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../../hub/lifecycle/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { packageRoot } from '../home.js';
import { resolveStatePaths, type StatePaths } from '../state-paths.js';

// The flags `start` and `restart` pass on to `bastion hub`.
export interface HubFlags {
  home?: string;
  config?: string;
  listen?: string;
  behindTlsProxy?: boolean;
  timeout?: string;
}

// The script every lifecycle command runs and recognises the hub by.
export function cliMainScript(): string {
  return path.join(packageRoot(), 'dist', 'cli', 'main.js');
}

// The state layout the hub will use for these flags (the same rule as every other command).
export function hubStatePaths(flags: { home?: string }): StatePaths {
  return resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
}

// `bastion hub` argv for these flags; paths made absolute, since the hub runs in the state dir.
export function hubArgsFor(flags: HubFlags): string[] {
  return [
    ...(flags.home ? ['--home', path.resolve(flags.home)] : []),
    ...(flags.config ? ['--config', path.resolve(flags.config)] : []),
    ...(flags.listen ? ['--listen', flags.listen] : []),
    ...(flags.behindTlsProxy ? ['--behind-tls-proxy'] : []),
  ];
}

// A --timeout value in ms, or the default; a bad value is a usage error (exit 2).
export function timeoutMsFor(raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  try {
    return parseDuration(raw);
  } catch (err) {
    if (err instanceof InvalidInputError) {
      console.error(`bastion: --timeout: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

// The options `start` and `restart` share with `bastion hub`.
export function addHubOptions(command: Command): Command {
  return command
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--config <file>', 'settings file')
    .option('--listen <host:port>', 'address to listen on (default: bastion.hub.listen)')
    .option('--behind-tls-proxy', 'a TLS-terminating proxy sits in front of this plain-HTTP hub')
    .option('--timeout <duration>', 'how long to wait for the hub to be ready', '15s');
}
