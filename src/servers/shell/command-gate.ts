import { stat } from 'node:fs/promises';
import type { CommandPolicy, Root } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import {
  confirmEntriesIn,
  effectivePolicy,
  type PolicyDecision,
} from '../../policy/command/index.js';
import type { ToolExtra, ToolResultWithAudit } from '../shared/audited-tool.js';
import { confirmCommand } from './confirm-command.js';
import { POLICY_IS_FIXED, type ShellContext } from './shell-context.js';

// Where a command would run: a canonical directory inside a root, and that root's merged policy.
export interface CommandPlace {
  cwd: string;
  root: Root;
  policy: CommandPolicy;
}

// The policy's verdict after asking the user when the rule says "confirm".
export type GateVerdict =
  | { allowed: true; decision: PolicyDecision; confirmed: boolean; confirmedEntries: string[] }
  | { allowed: false; decision: PolicyDecision; message: string };

// Resolve the working directory through the path guard (default: the first root), then the
// command policy that applies there (the root's own rules merged over the global ones).
export async function resolveCommandPlace(
  ctx: ShellContext,
  rawCwd: string | undefined,
): Promise<CommandPlace> {
  const first = ctx.guard.roots[0];
  if (first === undefined) throw new InvalidInputError('no root is available to run commands in');
  // Security: the cwd goes through the same canonical path gate as file tools (../, symlinks).
  const resolved = await ctx.guard.resolve(rawCwd ?? first.path, 'read');
  const info = resolved.exists ? await stat(resolved.path).catch(() => undefined) : undefined;
  if (info === undefined || !info.isDirectory()) {
    throw new InvalidInputError(
      `cwd: expected an existing directory inside a root, got "${rawCwd ?? ''}"`,
    );
  }
  return {
    cwd: resolved.path,
    root: resolved.root,
    policy: effectivePolicy(ctx.config.shell.policy, resolved.root),
  };
}

// Decide one command under a policy; a "confirm" rule asks the user through elicitation.
// `checkText` is what the policy analyses when it differs from what the user is shown.
export async function gateCommand(
  ctx: ShellContext,
  command: string,
  place: CommandPlace,
  extra: ToolExtra,
  checkText: string = command,
  // false inside a running session: its exec rules were fixed when it started, so a program
  // that needs confirmation could not run there even if the person said yes.
  confirmable = true,
): Promise<GateVerdict> {
  const decision = ctx.deps.policy.decide(checkText, place.policy);
  if (decision.action === 'confirm' && !confirmable) {
    return {
      allowed: false,
      decision,
      message:
        `Input refused: it needs the user's confirmation (rule "${decision.rule}"), and a running ` +
        'session cannot gain programs (its exec rules are fixed when it starts). Run it with run_command, which can ask.',
    };
  }
  switch (decision.action) {
    case 'allow':
      return { allowed: true, decision, confirmed: false, confirmedEntries: [] };
    case 'deny':
      return {
        allowed: false,
        decision,
        message: `Command refused by policy rule "${decision.rule}": ${withFullStop(decision.message)} ${POLICY_IS_FIXED}`,
      };
    case 'confirm': {
      const answer = await confirmCommand(
        ctx.tool.mcp,
        { command, cwd: place.cwd, rule: decision.rule, reason: decision.message },
        extra.mcpReq.signal,
      );
      if (answer === 'approved') {
        const confirmedEntries = confirmEntriesIn(decision.commands, place.policy.confirm);
        return { allowed: true, decision, confirmed: true, confirmedEntries };
      }
      const message =
        answer === 'unsupported'
          ? `Command needs the user's confirmation (rule "${decision.rule}": ${decision.message}), but ` +
            'this client cannot ask the user (it did not declare the elicitation capability). ' +
            'Ask the user to run it themselves or to use a client that supports confirmations.'
          : `The user did not approve this command (rule "${decision.rule}"); it was not run.`;
      return { allowed: false, decision, message };
    }
  }
}

// The audited refusal for a gate that said no: decision deny with the rule, nothing was run.
export function refusalResult(
  verdict: Extract<GateVerdict, { allowed: false }>,
  details: Record<string, unknown>,
): ToolResultWithAudit {
  return {
    isError: true,
    content: [{ type: 'text', text: verdict.message }],
    audit: {
      decision: 'deny',
      rule: verdict.decision.rule,
      details: { ...details, policyAction: verdict.decision.action, ran: false },
    },
  };
}

// End a sentence once: the policy's messages may already end with a full stop.
function withFullStop(text: string): string {
  return /[.!?]$/.test(text.trimEnd()) ? text.trimEnd() : `${text.trimEnd()}.`;
}
