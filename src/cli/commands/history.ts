import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { beginCall, createAuditLog, parseTimeBound } from '../../audit/index.js';
import { BastionError } from '../../errors/index.js';
import {
  hasHistoryStore,
  openHistoryStore,
  summarizeChange,
  validateHistoryPlacement,
  type Change,
  type ChangeSummary,
} from '../../history/index.js';
import { createPathGuard, isInside } from '../../policy/paths/index.js';
import { collect, loadCliConfig, type ConfigFlags } from '../load-cli-config.js';
import { resolveStatePaths } from '../state-paths.js';

interface HistoryFlags extends ConfigFlags {
  since?: string;
  json?: boolean;
}

// The history settings of the configured home. Listing needs no roots, so the home stands in
// for them (as for `bastion audit`); --root then only filters the listing.
function historyConfig(flags: ConfigFlags) {
  const paths = resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
  const stand = existsSync(paths.baseDir) ? paths.baseDir : os.homedir();
  return loadCliConfig({ home: flags.home, config: flags.config, root: [stand] }).config.history;
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// One change per block: a header line, then one line per path with its sizes.
function formatChange(s: ChangeSummary): string {
  const head = `${s.id}  ${s.time}  ${s.tool.padEnd(12)}  ${s.principal ?? 'local'}${s.undoes ? `  (undoes ${s.undoes})` : ''}`;
  const lines = s.paths.map((p) =>
    p.movedTo
      ? `    ${p.path}  moved to ${p.movedTo}`
      : `    ${p.path}  ${p.before} ${formatBytes(p.beforeSize)} -> ${p.after} ${formatBytes(p.afterSize)}`,
  );
  return [head, ...lines].join('\n');
}

function fail(message: string): never {
  console.error(`bastion: ${message}`);
  process.exit(2);
}

function withHome(command: Command): Command {
  return command
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--config <file>', 'settings file');
}

// `bastion history` and `bastion undo`: list the changes the files server kept, take one back.
export function registerHistoryCommands(program: Command): void {
  withHome(program.command('history'))
    .description(
      'list the changes kept for undo (newest last): time, tool, principal, paths, sizes',
    )
    .option('--root <dir>', 'only changes touching this directory', collect)
    .option('--since <time>', 'from this ISO time, or a span back from now (15m, 2h, 7d)')
    .option('--json', 'print the changes as JSON, one object per line')
    .action((flags: HistoryFlags) => {
      const history = historyConfig(flags);
      let since: number | undefined;
      try {
        since = flags.since ? parseTimeBound(flags.since).getTime() : undefined;
      } catch (err) {
        fail(`--since: ${(err as Error).message}`);
      }
      const within = (flags.root ?? []).map((r) => realpathSync(path.resolve(r)));
      const changes = hasHistoryStore(history.dir)
        ? openHistoryStore(history)
            .list()
            .filter((c) => since === undefined || Date.parse(c.time) >= since)
            .filter(
              (c) =>
                within.length === 0 ||
                c.entries.some((e) => within.some((r) => isInside(e.path, r))),
            )
        : [];
      for (const change of changes) {
        const summary = summarizeChange(change);
        console.log(flags.json ? JSON.stringify(summary) : formatChange(summary));
      }
      if (!flags.json) console.log(`${changes.length} change(s) in ${history.dir}`);
      process.exit(0);
    });

  program
    .command('undo')
    .description('take back a change (the newest when no id is given); refuses when changed since')
    .argument('[id]', 'change id from `bastion history`')
    .option('--force', 'restore even when a path changed since (what is there now is kept)')
    .option(
      '--root <dir>',
      'the roots the files server was started with (default: config)',
      collect,
    )
    .option('--read-only-root <dir>', 'a read-only root (its changes cannot be undone)', collect)
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--config <file>', 'settings file')
    .action(async (id: string | undefined, flags: ConfigFlags & { force?: boolean }) => {
      const { config } = loadCliConfig(flags);
      if (!config.history.enabled) fail('history is turned off (bastion.history.enabled)');
      try {
        validateHistoryPlacement(config);
      } catch (err) {
        fail((err as Error).message);
      }
      const history = openHistoryStore(config.history);
      // Security: restores go through a guard on the configured roots: nothing lands outside them.
      const guard = createPathGuard(config);
      const recovered = history.recover(guard);
      if (recovered.finished > 0)
        console.log(`finished ${recovered.finished} undo(s) interrupted earlier`);
      const target: Change | undefined = id ? history.find(id) : history.list().at(-1);
      if (target === undefined)
        fail(id ? `no change ${id} in ${history.dir}` : 'no change to undo');
      const key = process.env.BASTION_AUDIT_KEY;
      const audit = createAuditLog({ ...config.audit, ...(key ? { key } : {}) });
      const principal = `cli:${os.userInfo().username}`;
      const call = await beginCall(audit, {
        server: 'history',
        tool: 'undo',
        args: { id: target.id, force: flags.force === true },
        caller: { principal },
      });
      try {
        const change = history.undo(guard, target.id, {
          force: flags.force === true,
          origin: { tool: 'undo', principal, call: call.call },
        });
        await call.finish({ decision: 'allow', outcome: 'ok', details: { change: change.id } });
        console.log(`undid ${target.id}; the undo is change ${change.id} (undo it to redo)`);
        console.log(formatChange(summarizeChange(change)));
        audit.close();
        process.exit(0);
      } catch (err) {
        const code = err instanceof BastionError ? err.code : 'INTERNAL';
        await call.finish({ decision: 'error', outcome: 'error', errorCode: code });
        audit.close();
        console.error(`bastion undo: ${(err as Error).message}`);
        process.exit(1);
      }
    });
}
