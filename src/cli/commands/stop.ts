import type { Command } from 'commander';
import { describeStale, HUB_STOP_WAIT_MS, stopHub } from '../../hub/lifecycle/index.js';
import { cliMainScript, hubStatePaths, timeoutMsFor } from './hub-control-flags.js';

interface StopFlags {
  home?: string;
  timeout?: string;
}

// Stop the background hub; returns the exit code (0 stopped or not running, 1 it would not die).
export async function runStop(flags: StopFlags): Promise<number> {
  const paths = hubStatePaths(flags);
  const result = await stopHub({
    stateDir: paths.stateDir,
    mainScript: cliMainScript(),
    graceMs: timeoutMsFor(flags.timeout, HUB_STOP_WAIT_MS),
  });
  for (const record of result.stale)
    console.log(`bastion: removed a stale record: ${describeStale(record)}`);
  if (!result.running) {
    console.log('bastion: hub not running');
    return 0;
  }
  switch (result.outcome) {
    case 'terminated':
      console.log(`bastion: hub stopped (pid ${result.pid})`);
      return 0;
    case 'killed':
      console.log(
        `bastion: hub killed (pid ${result.pid} did not stop within the timeout after SIGTERM)`,
      );
      return 0;
    case 'stuck':
      console.error(`bastion: pid ${result.pid} is still running after SIGKILL`);
      return 1;
  }
}

// `bastion stop`: SIGTERM the recorded hub, SIGKILL after --timeout, remove its pid and state.
export function registerStopCommand(program: Command): void {
  program
    .command('stop')
    .description('stop the background hub')
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option(
      '--timeout <duration>',
      "grace period after SIGTERM before SIGKILL (past the hub's own grace for calls in flight)",
      `${HUB_STOP_WAIT_MS / 1000}s`,
    )
    .action(async (flags: StopFlags) => {
      const code = await runStop(flags);
      if (code !== 0) process.exit(code);
    });
}
