import type { Command } from 'commander';
import { checkHealth, inspectHub } from '../../hub/lifecycle/index.js';
import { cliMainScript, hubStatePaths } from './hub-control-flags.js';
import { buildStatusReport, formatStatus, statusExitCode } from './status-format.js';

interface StatusFlags {
  home?: string;
  json?: boolean;
}

// `bastion status`: is the background hub running, is it answering, and what has it served.
// Read-only: stale records are reported, not removed.
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show whether the hub runs, its URL, pid, uptime and per-server counts')
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExit codes: 0 running, 1 running but /healthz fails, 3 not running.')
    .action(async (flags: StatusFlags) => {
      const paths = hubStatePaths(flags);
      const inspection = inspectHub(paths.stateDir, cliMainScript());
      const url = inspection.running ? inspection.state?.url : undefined;
      const health = url === undefined ? undefined : await checkHealth(url);
      const report = buildStatusReport(inspection, health, Date.now());
      if (flags.json) console.log(JSON.stringify(report, null, 2));
      else for (const line of formatStatus(report)) console.log(line);
      const code = statusExitCode(report);
      if (code !== 0) process.exit(code);
    });
}
