import type { HubConfig } from '../../config/index.js';
import { parseListen } from '../../hub/listen-address.js';
import {
  CLIENT_SERVERS,
  formatShellLine,
  quoteShellWord,
  type StdioLaunch,
} from '../client-launch.js';

// The clients `bastion client-config` knows, by the name --client takes.
export const CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const;
export type ClientName = (typeof CLIENTS)[number];

// The environment variable the printed HTTP configs read the token from; never a real secret.
export const TOKEN_ENV = 'BASTION_TOKEN';

// What to print: stdio launches, or the hub's base URL (HTTP).
export type ClientTarget =
  | { kind: 'stdio'; launches: Record<(typeof CLIENT_SERVERS)[number], StdioLaunch> }
  | { kind: 'http'; baseUrl: string; tokenName?: string };

// The hub's base URL from bastion.hub: https when the hub (or the proxy in front of it) speaks
// TLS. An all-interfaces bind is reached by this machine's name.
export function hubUrlFromConfig(
  hub: Pick<HubConfig, 'listen' | 'tls' | 'behindTlsProxy'>,
  hostname: string,
  source = 'the settings file',
): string {
  const { host: rawHost, port } = parseListen(hub.listen, source);
  const host =
    rawHost === '0.0.0.0' || rawHost === '::'
      ? hostname
      : rawHost.includes(':')
        ? `[${rawHost}]`
        : rawHost;
  const scheme = hub.tls !== undefined || hub.behindTlsProxy ? 'https' : 'http';
  return `${scheme}://${host}:${port}`;
}

function serverUrl(baseUrl: string, server: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/mcp/${server}`;
}

function entries<T>(make: (server: (typeof CLIENT_SERVERS)[number]) => T): Record<string, T> {
  return Object.fromEntries(CLIENT_SERVERS.map((server) => [`bastion-${server}`, make(server)]));
}

const json = (value: unknown): string[] => JSON.stringify(value, null, 2).split('\n');

function claudeDesktop(target: ClientTarget): string[] {
  const servers =
    target.kind === 'stdio'
      ? entries((s) => target.launches[s])
      : entries((s) => ({
          type: 'http',
          url: serverUrl(target.baseUrl, s),
          headers: { Authorization: `Bearer \${${TOKEN_ENV}}` },
        }));
  return ['# Claude Desktop: claude_desktop_config.json', ...json({ mcpServers: servers })];
}

function claudeCode(target: ClientTarget): string[] {
  const lines = CLIENT_SERVERS.map((s) =>
    target.kind === 'stdio'
      ? `claude mcp add bastion-${s} -- ${formatShellLine(target.launches[s])}`
      : `claude mcp add --transport http bastion-${s} ${quoteShellWord(serverUrl(target.baseUrl, s))} --header "Authorization: Bearer $${TOKEN_ENV}"`,
  );
  return ['# Claude Code', ...lines];
}

function cursor(target: ClientTarget): string[] {
  const servers =
    target.kind === 'stdio'
      ? entries((s) => target.launches[s])
      : entries((s) => ({
          url: serverUrl(target.baseUrl, s),
          headers: { Authorization: `Bearer \${env:${TOKEN_ENV}}` },
        }));
  return [
    '# Cursor: ~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
    ...json({ mcpServers: servers }),
  ];
}

function vscode(target: ClientTarget): string[] {
  const config =
    target.kind === 'stdio'
      ? { servers: entries((s) => ({ type: 'stdio', ...target.launches[s] })) }
      : {
          // VS Code asks for the token once and keeps it in its secret storage, out of the file.
          inputs: [
            {
              type: 'promptString',
              id: 'bastion-token',
              description: 'Bastion hub token',
              password: true,
            },
          ],
          servers: entries((s) => ({
            type: 'http',
            url: serverUrl(target.baseUrl, s),
            headers: { Authorization: 'Bearer ${input:bastion-token}' },
          })),
        };
  return ['# VS Code: .vscode/mcp.json', ...json(config)];
}

const RENDERERS: Record<ClientName, (target: ClientTarget) => string[]> = {
  'claude-desktop': claudeDesktop,
  'claude-code': claudeCode,
  cursor,
  vscode,
};

// Copy-paste configuration for each client. HTTP configs name the token's environment variable
// (or VS Code's prompt), never a secret: tokens are shown once, by `bastion token create`.
export function formatClientConfig(
  target: ClientTarget,
  clients: readonly ClientName[] = CLIENTS,
): string[] {
  const lines: string[] = [];
  if (target.kind === 'http') {
    const name = target.tokenName ?? '<name>';
    lines.push(
      `# Hub: ${target.baseUrl} (files at /mcp/files, shell at /mcp/shell)`,
      `# Token: create one with \`bastion token create ${name}\` (its secret is shown only then),`,
      `# then: export ${TOKEN_ENV}=<that secret> in the environment the client starts from.`,
      '',
    );
  }
  for (const [i, client] of clients.entries()) {
    if (i > 0) lines.push('');
    lines.push(...RENDERERS[client](target));
  }
  return lines;
}
