#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerBuildLauncherCommand } from './commands/build-launcher.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerHistoryCommands } from './commands/history.js';
import { registerInitCommand } from './commands/init.js';
import { registerServeCommand } from './commands/serve.js';
import { packageRoot } from './home.js';

// The composition root: argv -> config -> servers -> transport. The only place that exits.
const { version } = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
  version: string;
};
const program = new Command()
  .name('bastion')
  .description('Hardened MCP servers for files and shell, confined to the roots you allow.')
  .version(version);
registerInitCommand(program);
registerServeCommand(program);
registerDoctorCommand(program);
registerAuditCommand(program);
registerHistoryCommands(program);
registerBuildLauncherCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`bastion: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
