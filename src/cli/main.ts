#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerBuildLauncherCommand } from './commands/build-launcher.js';
import { registerClientConfigCommand } from './commands/client-config.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerHubCommand } from './commands/hub.js';
import { registerHistoryCommands } from './commands/history.js';
import { registerInitCommand } from './commands/init.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerRestartCommand } from './commands/restart.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStartCommand } from './commands/start.js';
import { registerStatusCommand } from './commands/status.js';
import { registerStopCommand } from './commands/stop.js';
import { registerTokenCommand } from './commands/token.js';
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
registerHubCommand(program, version);
registerTokenCommand(program);
registerDoctorCommand(program);
registerAuditCommand(program);
registerHistoryCommands(program);
registerBuildLauncherCommand(program);
registerStartCommand(program);
registerStopCommand(program);
registerRestartCommand(program);
registerStatusCommand(program);
registerLogsCommand(program);
registerClientConfigCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`bastion: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
