import type { ProtocolEra } from '@modelcontextprotocol/server';
import type { AuditSink } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import type { HistoryStore, StagingPool } from '../../history/index.js';
import type { Logger } from '../../logging/logger.js';
import type { CommandPolicyEngine } from '../../policy/command/index.js';
import type { PathGuard } from '../../policy/paths/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { ToolContext } from '../shared/audited-tool.js';
import type { ApprovalStates } from './approval-state.js';

// What the composition root hands the shell server: it owns the sandbox and the policy engine.
export interface ShellDeps {
  audit: AuditSink;
  logger: Logger;
  sandbox: Sandbox;
  policy: CommandPolicyEngine;
}

// Everything a shell tool handler needs, built once per server instance (no module state).
export interface ShellContext {
  config: Config;
  deps: ShellDeps;
  guard: PathGuard;
  tool: ToolContext;
  // The protocol era this instance serves: how a "confirm" rule asks the person.
  era: ProtocolEra;
  // The service's sealed confirmation states (2026-07-28 round trips).
  approvals: ApprovalStates;
  // History of commands (staged through overlays, applied after exit), or why it is off.
  commandHistory: CommandHistorySetting;
}

// Whether run_command keeps what it changes: the store and the sandbox's overlay reader, or the
// reason it does not (shown in the tool's description and said at start).
export type CommandHistorySetting =
  | {
      on: true;
      store: HistoryStore;
      isOpaque: (dir: string) => boolean;
      pool: StagingPool;
      stagingBase: string;
    }
  | { on: false; reason: string };

// The audit `server` name of every shell record.
export const SHELL_AUDIT_SERVER = 'shell';

// Appended to every refusal so the agent knows the policy is not something it can change.
export const POLICY_IS_FIXED =
  'The command policy is set by the user in Bastion’s configuration and no tool can read or change it.';
