import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_RELATIVE_PATH, loadConfig } from '../../config/index.js';
import { InvalidConfigError } from '../../errors/index.js';
import { packageRoot, resolveHome } from '../home.js';

export const TEMPLATE_RELATIVE_PATH = path.join('config', 'mcp_settings.json.template');
const HOME_PLACEHOLDER = /<BASTION_HOME>/g;

interface InitFlags {
  home?: string;
  force?: boolean;
}

// `bastion init`: make config/mcp_settings.json from the tracked template, create ./workspace and
// logs/, then validate the result exactly as `serve` will.
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'create config/mcp_settings.json from the template and the default ./workspace root',
    )
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME or the install dir)')
    .option('--force', 'overwrite an existing config/mcp_settings.json')
    .action((flags: InitFlags) => {
      const home = resolveHome(flags.home);
      const target = path.join(home, DEFAULT_CONFIG_RELATIVE_PATH);
      if (existsSync(target) && !flags.force) {
        console.log(`bastion: ${target} already exists; keeping it (use --force to overwrite).`);
      } else {
        const template = readFileSync(path.join(packageRoot(), TEMPLATE_RELATIVE_PATH), 'utf8');
        mkdirSync(path.dirname(target), { recursive: true });
        // Security: the settings file may name roots and tokens' env vars; keep it private.
        writeFileSync(target, template.replace(HOME_PLACEHOLDER, home), { mode: 0o600 });
        console.log(`bastion: wrote ${target}`);
      }
      mkdirSync(path.join(home, 'workspace'), { recursive: true });
      mkdirSync(path.join(home, 'logs'), { recursive: true, mode: 0o700 });
      try {
        const config = loadConfig({ home, configPath: target });
        console.log(
          `bastion: config is valid; roots: ${config.roots.map((r) => `${r.path} (${r.mode})`).join(', ')}`,
        );
        console.log('\nConnect a client, e.g. Claude Code:');
        console.log(
          `  claude mcp add bastion-files -- node ${path.join(packageRoot(), 'dist/cli/main.js')} serve files --home ${home}`,
        );
      } catch (err) {
        if (err instanceof InvalidConfigError) {
          console.error(`bastion: ${err.message}`);
          process.exit(2);
        }
        throw err;
      }
    });
}
