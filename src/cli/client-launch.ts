import path from 'node:path';
import { packageRoot } from './home.js';
import type { StatePaths } from './state-paths.js';

// The servers a client can start or reach, in the order Bastion lists them.
export const CLIENT_SERVERS = ['files', 'shell'] as const;
export type ClientServer = (typeof CLIENT_SERVERS)[number];

// How a client starts one server over stdio: the `command` and `args` of an mcpServers entry.
export interface StdioLaunch {
  command: string;
  args: string[];
}

// The stdio launch for this layout: an installed package runs through npx (its path changes on
// upgrade); a home or checkout runs this checkout's dist/ with --home.
export function stdioLaunch(paths: StatePaths, server: ClientServer): StdioLaunch {
  if (paths.layout === 'xdg')
    return { command: 'npx', args: ['-y', 'bastion-mcp', 'serve', server] };
  const cli = path.join(packageRoot(), 'dist/cli/main.js');
  return { command: 'node', args: [cli, 'serve', server, '--home', paths.baseDir] };
}

// One word for a POSIX shell: unchanged when it has nothing the shell would read, else quoted.
export function quoteShellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// The launch as one shell line (what `claude mcp add NAME --` takes).
export function formatShellLine(launch: StdioLaunch): string {
  return [launch.command, ...launch.args].map(quoteShellWord).join(' ');
}
