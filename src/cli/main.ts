#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { packageRoot } from './home.js';

// Each command's module and the command names it registers. `bastion serve` is what MCP clients
// spawn on every start, so a named command loads only its own module (the hub, tokens and audit
// tools stay unloaded); anything else (help, a typo, no command) loads them all, in this order.
const COMMANDS: readonly { names: readonly string[]; load: (program: Command) => Promise<void> }[] =
  [
    {
      names: ['init'],
      load: async (p) => (await import('./commands/init.js')).registerInitCommand(p),
    },
    {
      names: ['serve'],
      load: async (p) => (await import('./commands/serve.js')).registerServeCommand(p),
    },
    {
      names: ['hub'],
      load: async (p) => (await import('./commands/hub.js')).registerHubCommand(p, version),
    },
    {
      names: ['token'],
      load: async (p) => (await import('./commands/token.js')).registerTokenCommand(p),
    },
    {
      names: ['doctor'],
      load: async (p) => (await import('./commands/doctor.js')).registerDoctorCommand(p),
    },
    {
      names: ['audit'],
      load: async (p) => (await import('./commands/audit.js')).registerAuditCommand(p),
    },
    {
      names: ['history', 'undo'],
      load: async (p) => (await import('./commands/history.js')).registerHistoryCommands(p),
    },
    {
      names: ['build-launcher'],
      load: async (p) =>
        (await import('./commands/build-launcher.js')).registerBuildLauncherCommand(p),
    },
    {
      names: ['start'],
      load: async (p) => (await import('./commands/start.js')).registerStartCommand(p),
    },
    {
      names: ['stop'],
      load: async (p) => (await import('./commands/stop.js')).registerStopCommand(p),
    },
    {
      names: ['restart'],
      load: async (p) => (await import('./commands/restart.js')).registerRestartCommand(p),
    },
    {
      names: ['status'],
      load: async (p) => (await import('./commands/status.js')).registerStatusCommand(p),
    },
    {
      names: ['logs'],
      load: async (p) => (await import('./commands/logs.js')).registerLogsCommand(p),
    },
    {
      names: ['client-config'],
      load: async (p) =>
        (await import('./commands/client-config.js')).registerClientConfigCommand(p),
    },
  ];

async function registerCommands(program: Command, requested: string | undefined): Promise<void> {
  const named = COMMANDS.filter((c) => requested !== undefined && c.names.includes(requested));
  for (const command of named.length > 0 ? named : COMMANDS) await command.load(program);
}

// The composition root: argv -> config -> servers -> transport. The only place that exits.
const { version } = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
  version: string;
};
const program = new Command()
  .name('bastion')
  .description('Hardened MCP servers for files and shell, confined to the roots you allow.')
  .version(version);
await registerCommands(program, process.argv[2]);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`bastion: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
