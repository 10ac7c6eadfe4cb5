import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  AUDIT_FILE_NAME,
  filterCalls,
  formatProblem,
  groupErrors,
  mergeCalls,
  listLogFiles,
  parseRecords,
  parseTimeBound,
  readAuditRecords,
  readRecords,
  verifyAuditDir,
  type CallFilter,
} from '../../audit/index.js';
import { resolveStatePaths } from '../state-paths.js';
import { loadCliConfig, type ConfigFlags } from '../load-cli-config.js';
import { CALL_HEADER, formatCallRow, formatErrorGroups } from './audit-format.js';
import { followLog } from './audit-follow.js';

interface QueryFlags extends ConfigFlags {
  since?: string;
  until?: string;
  server?: string;
  tool?: string;
  decision?: string;
  outcome?: string;
  json?: boolean;
}

// The audit dir of the configured home (config.audit.dir). Reading the log needs no roots, so
// the home stands in for them: a settings file without roots still names its audit dir.
function auditDir(flags: ConfigFlags): string {
  const paths = resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
  const stand = existsSync(paths.baseDir) ? paths.baseDir : os.homedir();
  return loadCliConfig({ ...flags, root: [stand] }).config.audit.dir;
}

function withHome(command: Command): Command {
  return command
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--config <file>', 'settings file');
}

// Every call on record, across the rotated files and audit.jsonl.
function loadEntries(dir: string) {
  return mergeCalls(readAuditRecords(dir));
}

// The last `count` records: audit.jsonl (its text as given, when following), then as many
// rotated files back as it takes.
function lastRecords(dir: string, count: number, currentText?: string) {
  if (!(count > 0)) return [];
  const files = listLogFiles(dir);
  let records: ReturnType<typeof readRecords> = [];
  for (let i = files.length - 1; i >= 0 && records.length < count; i -= 1) {
    try {
      const file = files[i]!;
      const read =
        file === AUDIT_FILE_NAME && currentText !== undefined
          ? parseRecords(currentText)
          : readRecords(path.join(dir, file));
      records = [...read, ...records];
    } catch {
      // Rotated away while read: the records before it are enough to start with.
    }
  }
  return records.slice(-count);
}

function parseFilter(flags: QueryFlags): CallFilter {
  try {
    return {
      ...(flags.since ? { since: parseTimeBound(flags.since) } : {}),
      ...(flags.until ? { until: parseTimeBound(flags.until) } : {}),
      ...(flags.server ? { server: flags.server } : {}),
      ...(flags.tool ? { tool: flags.tool } : {}),
      ...(flags.decision ? { decision: flags.decision } : {}),
      ...(flags.outcome ? { outcome: flags.outcome } : {}),
    };
  } catch (err) {
    console.error(`bastion audit: --since/--until: ${(err as Error).message}`);
    process.exit(2);
  }
}

// Exit once stdout has taken everything printed: process.exit() right away cuts a long listing
// short when stdout is a pipe (writes to a pipe are asynchronous).
function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

// `bastion audit verify|query|tail|errors`: read the audit log of a Bastion home.
export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('verify, search and follow the audit log');

  withHome(audit.command('verify'))
    .description('check the hash chains, MACs (with BASTION_AUDIT_KEY) and signed checkpoints')
    .option('--public-key <file>', 'checkpoint public key kept elsewhere')
    .action((flags: ConfigFlags & { publicKey?: string }) => {
      const dir = auditDir(flags);
      const key = process.env.BASTION_AUDIT_KEY;
      const report = verifyAuditDir({
        dir,
        ...(key ? { key } : {}),
        ...(flags.publicKey ? { publicKeyFile: flags.publicKey } : {}),
      });
      for (const note of report.notes) console.log(`note: ${note}`);
      if (!report.ok) {
        const [first] = report.problems;
        console.log(`audit log ${path.join(dir, AUDIT_FILE_NAME)}: NOT intact`);
        console.log(`first problem: ${formatProblem(first!)}`);
        if (report.problems.length > 1) {
          console.log(`${report.problems.length - 1} more:`);
          for (const p of report.problems.slice(1, 20)) console.log(`  ${formatProblem(p)}`);
        }
        exitAfterOutput(1);
        return;
      }
      console.log(
        report.exists
          ? `audit log ${path.join(dir, AUDIT_FILE_NAME)}: intact (${report.records} records, ${report.streams} streams, ${report.checkpoints} signed checkpoints${report.files > 1 ? `, ${report.files} files` : ''}${key ? ', MACs checked' : ''})`
          : `audit log ${path.join(dir, AUDIT_FILE_NAME)}: not created yet`,
      );
      exitAfterOutput(0);
    });

  withHome(audit.command('query'))
    .description('list the calls matching the filters (one entry per call)')
    .option('--since <time>', 'from this ISO time, or a span back from now (15m, 2h, 7d)')
    .option('--until <time>', 'up to this ISO time or span back from now')
    .option('--server <name>', 'files | shell | audit')
    .option('--tool <name>', 'tool name')
    .option('--decision <decision>', 'allow | deny | error')
    .option('--outcome <outcome>', 'ok | denied | error | ...')
    .option('--json', 'print the calls as JSON, one object per line')
    .action((flags: QueryFlags) => {
      const entries = filterCalls(loadEntries(auditDir(flags)), parseFilter(flags));
      if (flags.json) {
        for (const e of entries) console.log(JSON.stringify(e));
      } else {
        console.log(CALL_HEADER);
        for (const e of entries) console.log(formatCallRow(e));
        console.log(`${entries.length} call(s)`);
      }
      exitAfterOutput(0);
    });

  withHome(audit.command('errors'))
    .description('errors grouped by class, with counts')
    .option('--since <time>', 'from this ISO time, or a span back from now (15m, 2h, 7d)')
    .option('--server <name>', 'files | shell')
    .option('--json', 'print the groups as JSON')
    .action((flags: QueryFlags) => {
      const groups = groupErrors(filterCalls(loadEntries(auditDir(flags)), parseFilter(flags)));
      console.log(flags.json ? JSON.stringify(groups) : formatErrorGroups(groups));
      exitAfterOutput(0);
    });

  withHome(audit.command('tail'))
    .description('print the latest records; -f keeps following')
    .option('-n, --lines <n>', 'how many records to start with', '10')
    .option('-f, --follow', 'keep printing records as they are written')
    .option('--json', 'print raw records')
    .action(async (flags: ConfigFlags & { lines: string; follow?: boolean; json?: boolean }) => {
      const dir = auditDir(flags);
      const print = (text: string): void => {
        for (const r of parseRecords(text)) {
          console.log(
            flags.json
              ? JSON.stringify(r)
              : formatCallRow({ ...r, outcome: r.outcome ?? r.phase ?? '-' }),
          );
        }
      };
      // With -f, audit.jsonl is opened first and its start read through the same descriptor,
      // so the records printed first and the ones followed meet without a gap or a repeat.
      const follower = flags.follow ? followLog(dir, print) : null;
      print(
        lastRecords(dir, Number(flags.lines), follower?.head)
          .map((r) => JSON.stringify(r))
          .join('\n'),
      );
      if (!follower) {
        exitAfterOutput(0);
        return;
      }
      await follower.run();
    });
}
