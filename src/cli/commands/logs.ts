import type { Command } from 'commander';
import { followFile, hubLogPath, readLastLines } from '../../hub/lifecycle/index.js';
import { hubStatePaths } from './hub-control-flags.js';

interface LogsFlags {
  home?: string;
  follow?: boolean;
  lines: string;
}

function parseLineCount(raw: string): number {
  if (!/^\d{1,7}$/.test(raw)) {
    console.error(`bastion: -n: expected a number of lines, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return Number(raw);
}

// `bastion logs`: the background hub's output (logs/hub.log); -f follows it until Ctrl-C.
export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("print the background hub's log (logs/hub.log)")
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('-f, --follow', 'keep printing lines as they are written (Ctrl-C ends)')
    .option('-n, --lines <n>', 'how many of the last lines to print', '50')
    .action(async (flags: LogsFlags) => {
      const count = parseLineCount(flags.lines);
      const file = hubLogPath(hubStatePaths(flags).stateDir);
      const tail = readLastLines(file, count);
      if (tail === undefined && !flags.follow) {
        console.error(`bastion: no hub log yet at ${file} (bastion start writes it)`);
        process.exit(1);
      }
      for (const line of tail?.lines ?? []) process.stdout.write(`${line}\n`);
      if (!flags.follow) return;
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await followFile(file, (chunk) => process.stdout.write(chunk), {
        offset: tail?.size ?? 0,
        signal: controller.signal,
      });
    });
}
