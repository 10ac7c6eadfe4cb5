import type { Command } from 'commander';
import { describeStale, startHub } from '../../hub/lifecycle/index.js';
import { loadCliConfig } from '../load-cli-config.js';
import { ensurePrivateDir } from '../state-paths.js';
import {
  addHubOptions,
  cliMainScript,
  hubArgsFor,
  hubStatePaths,
  timeoutMsFor,
  type HubFlags,
} from './hub-control-flags.js';

// Check the config the hub will load, so its problems are listed at once, before anything runs
// (or, for restart, before the running hub is stopped). Exits 2 on a problem.
export function validateStartConfig(flags: HubFlags): void {
  loadCliConfig({
    ...(flags.home ? { home: flags.home } : {}),
    ...(flags.config ? { config: flags.config } : {}),
  });
}

// Start the hub in the background; returns the exit code (0 started, 1 not).
export async function runStart(flags: HubFlags): Promise<number> {
  validateStartConfig(flags);
  const paths = hubStatePaths(flags);
  ensurePrivateDir(paths.stateDir);
  const result = await startHub({
    stateDir: paths.stateDir,
    nodePath: process.execPath,
    mainScript: cliMainScript(),
    hubArgs: hubArgsFor(flags),
    timeoutMs: timeoutMsFor(flags.timeout, 15_000),
  });
  if (result.started) {
    for (const record of result.stale)
      console.log(`bastion: removed a stale record: ${describeStale(record)}`);
    console.log(`bastion: hub running at ${result.url} (pid ${result.pid})`);
    console.log(`bastion: logs in ${result.logFile} (bastion logs -f)`);
    return 0;
  }
  if (result.alreadyRunning) {
    console.error(
      `bastion: a hub is already running (pid ${result.pid}${result.url ? `, ${result.url}` : ''}); use bastion restart to replace it`,
    );
    return 1;
  }
  console.error(`bastion: the hub did not start: ${result.message}`);
  if (result.logTail.length > 0) {
    console.error(`bastion: last lines of ${result.logFile}:`);
    for (const line of result.logTail) console.error(`  ${line}`);
  }
  return 1;
}

// `bastion start`: run `bastion hub` in the background, detached from this terminal, and return
// once it answers /healthz.
export function registerStartCommand(program: Command): void {
  addHubOptions(
    program.command('start').description('start the HTTP hub in the background'),
  ).action(async (flags: HubFlags) => {
    const code = await runStart(flags);
    if (code !== 0) process.exit(code);
  });
}
