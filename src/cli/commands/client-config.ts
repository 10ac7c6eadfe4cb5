import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { inspectHub } from '../../hub/lifecycle/index.js';
import { CLIENT_SERVERS, stdioLaunch, type StdioLaunch } from '../client-launch.js';
import { loadCliConfig } from '../load-cli-config.js';
import {
  CLIENTS,
  formatClientConfig,
  hubUrlFromConfig,
  type ClientName,
} from './client-config-format.js';
import { cliMainScript, hubStatePaths } from './hub-control-flags.js';

interface ClientConfigFlags {
  home?: string;
  config?: string;
  http?: boolean;
  tokenName?: string;
  url?: string;
  client?: string;
}

function parseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:')
      return url.origin + url.pathname.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  console.error(
    `bastion: --url: expected an http(s) URL such as https://hub.example.com, got ${JSON.stringify(raw)}`,
  );
  process.exit(2);
}

function parseClient(raw: string | undefined): readonly ClientName[] {
  if (raw === undefined) return CLIENTS;
  if ((CLIENTS as readonly string[]).includes(raw)) return [raw as ClientName];
  console.error(
    `bastion: --client: expected one of ${CLIENTS.join(', ')}, got ${JSON.stringify(raw)}`,
  );
  process.exit(2);
}

// A stdio launch that reads the same --config this command was given.
function launchWithConfig(launch: StdioLaunch, flags: ClientConfigFlags): StdioLaunch {
  if (flags.config === undefined) return launch;
  return { ...launch, args: [...launch.args, '--config', path.resolve(flags.config)] };
}

// The hub URL: --url, else the running hub's (it knows its real port), else bastion.hub.listen.
function hubBaseUrl(flags: ClientConfigFlags): string {
  if (flags.url !== undefined) return parseUrl(flags.url);
  const paths = hubStatePaths(flags);
  const live = inspectHub(paths.stateDir, cliMainScript());
  if (live.running && live.state) return live.state.url;
  const { config } = loadCliConfig({
    ...(flags.home ? { home: flags.home } : {}),
    ...(flags.config ? { config: flags.config } : {}),
  });
  return hubUrlFromConfig(config.hub, os.hostname(), config.source);
}

// `bastion client-config`: the lines to paste into Claude Desktop, Claude Code, Cursor and VS Code
// to reach Bastion over stdio, or the hub over HTTP with --http.
export function registerClientConfigCommand(program: Command): void {
  program
    .command('client-config')
    .description('print MCP client configuration (Claude Desktop, Claude Code, Cursor, VS Code)')
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--config <file>', 'settings file (for bastion.hub.listen)')
    .option('--http', 'connect to the hub over HTTP instead of starting servers over stdio')
    .option('--token-name <name>', 'the token name to show in the `bastion token create` hint')
    .option(
      '--url <url>',
      'the hub URL clients use (default: the running hub, else bastion.hub.listen)',
    )
    .option('--client <name>', `only this client: ${CLIENTS.join(', ')}`)
    .action((flags: ClientConfigFlags) => {
      const clients = parseClient(flags.client);
      const lines = flags.http
        ? formatClientConfig(
            {
              kind: 'http',
              baseUrl: hubBaseUrl(flags),
              ...(flags.tokenName ? { tokenName: flags.tokenName } : {}),
            },
            clients,
          )
        : formatClientConfig(
            {
              kind: 'stdio',
              launches: Object.fromEntries(
                CLIENT_SERVERS.map((s) => [
                  s,
                  launchWithConfig(stdioLaunch(hubStatePaths(flags), s), flags),
                ]),
              ) as Record<(typeof CLIENT_SERVERS)[number], StdioLaunch>,
            },
            clients,
          );
      for (const line of lines) console.log(line);
    });
}
