import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { InvalidConfigError } from '../../errors/index.js';
import { CLIENT_SERVERS, formatShellLine, stdioLaunch } from '../client-launch.js';
import { packageRoot } from '../home.js';
import { configOptionsFor } from '../load-cli-config.js';
import { ensurePrivateDir, resolveStatePaths, type StatePaths } from '../state-paths.js';

export const TEMPLATE_RELATIVE_PATH = path.join('config', 'mcp_settings.json.template');
const HOME_PLACEHOLDER = /<BASTION_HOME>/g;

interface InitFlags {
  home?: string;
  force?: boolean;
}

interface Template {
  mcpServers: Record<string, { command: string; args: string[] }>;
  bastion: { roots: { path: string; mode: string }[] };
}

// The settings file for this layout. A home keeps the template's text (relative ./workspace, the
// checkout's dist/ in the client lines); an installed package gets absolute XDG paths and `npx`.
function renderSettings(template: string, paths: StatePaths): string {
  if (paths.layout === 'home') return template.replace(HOME_PLACEHOLDER, paths.baseDir);
  const settings = JSON.parse(template) as Template;
  for (const server of CLIENT_SERVERS)
    settings.mcpServers[`bastion-${server}`] = stdioLaunch(paths, server);
  settings.bastion.roots = [{ path: paths.workspace, mode: 'read-write' }];
  return `${JSON.stringify(settings, null, 2)}\n`;
}

// `bastion init`: write the settings file from the tracked template, create the default workspace
// root and the private state directory, then validate the result exactly as `serve` will, and
// say where each thing went.
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write the settings file, the default workspace root and the state directory')
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs; see doctor)')
    .option('--force', 'overwrite an existing settings file')
    .action((flags: InitFlags) => {
      const paths = resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
      const target = paths.configFile;
      console.log(`bastion: layout ${paths.layout} (${paths.origin})`);
      if (existsSync(target) && !flags.force) {
        console.log(`bastion: config   ${target} (exists; keeping it, use --force to overwrite)`);
      } else {
        const template = readFileSync(path.join(packageRoot(), TEMPLATE_RELATIVE_PATH), 'utf8');
        ensurePrivateDir(path.dirname(target));
        // Security: the settings file may name roots and tokens' env vars; keep it private.
        writeFileSync(target, renderSettings(template, paths), { mode: 0o600 });
        console.log(`bastion: config   ${target} (written)`);
      }
      ensurePrivateDir(paths.workspace);
      console.log(`bastion: root     ${paths.workspace} (default read-write root)`);
      ensurePrivateDir(paths.stateDir);
      try {
        const config = loadConfig(configOptionsFor({}, paths));
        ensurePrivateDir(config.audit.dir);
        console.log(`bastion: state    ${paths.stateDir} (audit log in ${config.audit.dir})`);
        console.log(
          `bastion: config is valid; roots: ${config.roots.map((r) => `${r.path} (${r.mode})`).join(', ')}`,
        );
        console.log('\nConnect a client, e.g. Claude Code:');
        for (const server of CLIENT_SERVERS)
          console.log(
            `  claude mcp add bastion-${server} -- ${formatShellLine(stdioLaunch(paths, server))}`,
          );
        console.log(`(other clients, and the hub over HTTP: bastion client-config [--http])`);
      } catch (err) {
        if (err instanceof InvalidConfigError) {
          console.error(`bastion: ${err.message}`);
          process.exit(2);
        }
        throw err;
      }
    });
}
