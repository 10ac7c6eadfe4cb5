import path from 'node:path';
import type { Config } from '../../config/index.js';
import {
  createStagingPool,
  openHistoryStore,
  recoverStagedCommands,
  validateHistoryPlacement,
} from '../../history/index.js';
import type { PathGuard } from '../../policy/paths/index.js';
import { SHELL_AUDIT_SERVER, type CommandHistorySetting, type ShellDeps } from './shell-context.js';

// Open the history of commands once per service, when the config asks for it and the sandbox
// can stage writes; else say why at start (and the tool descriptions say it to the agent).
// What a crash left is dealt with first: interrupted applies finished, exited commands' staged
// writes applied, cut-short ones set aside, each said in the log.
export function openCommandHistory(
  config: Config,
  deps: ShellDeps,
  guard: PathGuard,
): CommandHistorySetting {
  if (!config.history.enabled)
    return { on: false, reason: 'history is off (bastion.history.enabled)' };
  if (!config.history.commands)
    return { on: false, reason: 'history of commands is off (bastion.history.commands)' };
  const support = deps.sandbox.overlays;
  if (!support.available) {
    deps.logger.warn(
      `history: file changes made by shell commands are NOT kept for undo: ${support.reason}`,
    );
    return { on: false, reason: support.reason };
  }
  // Security: refuse to start when an agent could read or forge the history through a root,
  // or reach the staged writes (old and new content both) through one.
  validateHistoryPlacement(config);
  const stagingBase = path.resolve(config.history.dir, config.history.stagingDir);
  validateHistoryPlacement({ ...config, history: { ...config.history, dir: stagingBase } });
  const store = openHistoryStore(config.history);
  const setting: CommandHistorySetting = {
    on: true,
    store,
    isOpaque: support.isOpaque,
    pool: createStagingPool(stagingBase, (root) => support.prepare(root)),
    stagingBase,
  };
  const finished = store.recover(guard);
  if (finished.finished > 0)
    deps.logger.info({ finished: finished.finished }, 'finished changes interrupted by a crash');
  if (finished.failed.length > 0)
    deps.logger.warn(
      { failed: finished.failed },
      'could not finish changes interrupted by a crash',
    );
  // Security: intent before effect: each apply of an earlier command's writes is on record first.
  const staged = recoverStagedCommands(
    { store, guard, isOpaque: support.isOpaque, stagingBase },
    (meta) =>
      deps.audit.record({
        server: SHELL_AUDIT_SERVER,
        tool: 'apply_staged_command',
        args: { change: meta.id, ...(meta.call !== undefined ? { call: meta.call } : {}) },
        decision: 'allow',
        durationMs: 0,
        outcome: 'recovering',
        details: { startedAt: meta.time, roots: meta.roots.map((r) => r.lower) },
      }),
  );
  if (staged.applied.length > 0)
    deps.logger.warn(
      { applied: staged.applied },
      'applied the file changes of commands that had exited when the server stopped',
    );
  if (staged.setAside.length > 0)
    deps.logger.warn(
      { setAside: staged.setAside },
      'commands cut short by a stop left staged file changes; they were NOT applied and are kept here',
    );
  if (staged.failed.length > 0)
    deps.logger.warn(
      { failed: staged.failed },
      'could not recover staged file changes of commands',
    );
  return setting;
}
