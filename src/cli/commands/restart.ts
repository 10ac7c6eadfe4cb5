import type { Command } from 'commander';
import { HUB_STOP_WAIT_MS } from '../../hub/lifecycle/index.js';
import { addHubOptions, type HubFlags } from './hub-control-flags.js';
import { runStart, validateStartConfig } from './start.js';
import { runStop } from './stop.js';

// `bastion restart`: stop (when running) then start, with the start flags.
export function registerRestartCommand(program: Command): void {
  addHubOptions(program.command('restart').description('stop the background hub, then start it'))
    .option(
      '--stop-timeout <duration>',
      'grace period after SIGTERM before SIGKILL',
      `${HUB_STOP_WAIT_MS / 1000}s`,
    )
    .action(async (flags: HubFlags & { stopTimeout?: string }) => {
      validateStartConfig(flags);
      const stopped = await runStop({
        ...(flags.home ? { home: flags.home } : {}),
        ...(flags.stopTimeout ? { timeout: flags.stopTimeout } : {}),
      });
      const code = stopped === 0 ? await runStart(flags) : stopped;
      if (code !== 0) process.exit(code);
    });
}
