import { stat } from 'node:fs/promises';
import type { CommandPolicy, Root } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import {
  confirmEntriesIn,
  effectivePolicy,
  type PolicyDecision,
} from '../../policy/command/index.js';
import type { InputRequiredResult } from '@modelcontextprotocol/server';
import type { AskResultWithAudit, ToolResultWithAudit } from '../shared/audited-tool.js';
import type { Confirmer } from './confirm-command.js';
import { POLICY_IS_FIXED, type ShellContext } from './shell-context.js';

// Where a command would run: a canonical directory inside a root, and that root's merged policy.
export interface CommandPlace {
  cwd: string;
  root: Root;
  policy: CommandPolicy;
}

// The policy's verdict after asking the user when the rule says "confirm". `pending`: the
// question went out in an input-required result; nothing runs in this round.
export type GateVerdict =
  | { allowed: true; decision: PolicyDecision; confirmed: boolean; confirmedEntries: string[] }
  | { allowed: false; decision: PolicyDecision; message: string; pending?: true };

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

// Decide one command under a policy; a "confirm" rule asks the user through `confirmer`
// (elicitation for 2025 clients, an input-required round trip for 2026-07-28 ones) under `key`.
// `checkText` is what the policy analyses when it differs from what the user is shown.
export async function gateCommand(
  ctx: ShellContext,
  command: string,
  place: CommandPlace,
  confirmer: Confirmer,
  key: string,
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
      const answer = await confirmer.ask(key, {
        command,
        cwd: place.cwd,
        rule: decision.rule,
        reason: decision.message,
      });
      if (answer === 'approved') {
        const confirmedEntries = confirmEntriesIn(decision.commands, place.policy.confirm);
        return { allowed: true, decision, confirmed: true, confirmedEntries };
      }
      if (answer === 'pending') {
        return {
          allowed: false,
          decision,
          pending: true,
          message: `Waiting for the user's confirmation (rule "${decision.rule}").`,
        };
      }
      return { allowed: false, decision, message: confirmRefusal(answer, decision) };
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

// Why a confirmation did not lead to a run, in words the agent can act on.
function confirmRefusal(answer: 'declined' | 'unsupported' | 'invalid', decision: PolicyDecision) {
  switch (answer) {
    case 'unsupported':
      return (
        `Command needs the user's confirmation (rule "${decision.rule}": ${decision.message}), but ` +
        'this client cannot ask the user (it did not declare the elicitation capability). ' +
        'Ask the user to run it themselves or to use a client that supports confirmations.'
      );
    case 'invalid':
      return (
        `The confirmation presented for this command (rule "${decision.rule}") was not issued for ` +
        'this exact call or was already used; it was not run. Call the tool again without one to ask the user.'
      );
    case 'declined':
      return `The user did not approve this command (rule "${decision.rule}"); it was not run.`;
  }
}

// The input-required result that asks the person (2026-07-28), audited as "not run yet": the
// call ends here; the client's retry with the answer is a new call with its own records.
export function askResult(
  ask: InputRequiredResult,
  rule: string,
  details: Record<string, unknown>,
): AskResultWithAudit {
  return {
    ...ask,
    audit: {
      decision: 'deny',
      rule,
      details: { ...details, policyAction: 'confirm', awaiting: 'confirmation', ran: false },
    },
  };
}

// End a sentence once: the policy's messages may already end with a full stop.
function withFullStop(text: string): string {
  return /[.!?]$/.test(text.trimEnd()) ? text.trimEnd() : `${text.trimEnd()}.`;
}
