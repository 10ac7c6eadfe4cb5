import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  AUDIT_FILE_NAME,
  filterCalls,
  formatProblem,
  groupErrors,
  mergeCalls,
  parseRecords,
  parseTimeBound,
  readRecords,
  verifyAuditDir,
  type CallFilter,
} from '../../audit/index.js';
import { resolveStatePaths } from '../state-paths.js';
import { loadCliConfig, type ConfigFlags } from '../load-cli-config.js';
import { CALL_HEADER, formatCallRow, formatErrorGroups } from './audit-format.js';

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

function loadEntries(dir: string) {
  const file = path.join(dir, AUDIT_FILE_NAME);
  return existsSync(file) ? mergeCalls(readRecords(file)) : [];
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
        process.exit(1);
      }
      console.log(
        report.exists
          ? `audit log ${path.join(dir, AUDIT_FILE_NAME)}: intact (${report.records} records, ${report.streams} streams, ${report.checkpoints} signed checkpoints${key ? ', MACs checked' : ''})`
          : `audit log ${path.join(dir, AUDIT_FILE_NAME)}: not created yet`,
      );
      process.exit(0);
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
      process.exit(0);
    });

  withHome(audit.command('errors'))
    .description('errors grouped by class, with counts')
    .option('--since <time>', 'from this ISO time, or a span back from now (15m, 2h, 7d)')
    .option('--server <name>', 'files | shell')
    .option('--json', 'print the groups as JSON')
    .action((flags: QueryFlags) => {
      const groups = groupErrors(filterCalls(loadEntries(auditDir(flags)), parseFilter(flags)));
      console.log(flags.json ? JSON.stringify(groups) : formatErrorGroups(groups));
      process.exit(0);
    });

  withHome(audit.command('tail'))
    .description('print the latest records; -f keeps following')
    .option('-n, --lines <n>', 'how many records to start with', '10')
    .option('-f, --follow', 'keep printing records as they are written')
    .option('--json', 'print raw records')
    .action(async (flags: ConfigFlags & { lines: string; follow?: boolean; json?: boolean }) => {
      const file = path.join(auditDir(flags), AUDIT_FILE_NAME);
      const print = (text: string): void => {
        for (const r of parseRecords(text)) {
          console.log(
            flags.json
              ? JSON.stringify(r)
              : formatCallRow({ ...r, outcome: r.outcome ?? r.phase ?? '-' }),
          );
        }
      };
      let offset = 0;
      if (existsSync(file)) {
        const records = readRecords(file);
        print(
          records
            .slice(-Number(flags.lines))
            .map((r) => JSON.stringify(r))
            .join('\n'),
        );
        offset = statSync(file).size;
      }
      if (!flags.follow) process.exit(0);
      await followFile(file, offset, print);
    });
}

// Poll the file for appended whole lines; start over when it was replaced or truncated.
function followFile(file: string, start: number, onText: (text: string) => void): Promise<void> {
  let offset = start;
  let pending = '';
  return new Promise(() => {
    setInterval(() => {
      if (!existsSync(file)) return;
      const size = statSync(file).size;
      if (size < offset) offset = 0;
      if (size === offset) return;
      const buffer = Buffer.alloc(size - offset);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      offset = size;
      const text = pending + buffer.toString('utf8');
      const cut = text.lastIndexOf('\n');
      pending = text.slice(cut + 1);
      if (cut >= 0) onText(text.slice(0, cut));
    }, 200);
  });
}
