import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  type ClientCapabilities,
  type InputRequiredResult,
} from '@modelcontextprotocol/server';
import type { ToolExtra } from '../shared/audited-tool.js';
import { digestCall, type ApprovalState } from './approval-state.js';
import {
  confirmationForm,
  createElicitConfirmer,
  isApproval,
  type ConfirmQuestion,
  type Confirmer,
} from './confirm-command.js';
import type { ShellContext } from './shell-context.js';

// A confirmer for one call. pendingResult() is what the tool returns when a question went out.
export interface CallConfirmer extends Confirmer {
  pendingResult(): Promise<InputRequiredResult | undefined>;
}

// Where the answers of a verified state stand for this call.
type StateStatus = 'none' | 'valid' | 'invalid';

// The 2026-07-28 way: the question goes back in an input-required result with a sealed
// requestState naming this exact call; the client asks the person and re-sends the call with
// the answer and the state, and only then can the answer count.
//
// Security: the approval is bound to the exact call. The requestState is HMAC-sealed with a
// key only this process holds (approval-state.ts, verified by the SDK before the handler runs,
// so a forged or altered state never reaches here) and carries the digest of the tool, every
// argument, the resolved cwd, the caller's principal and the roots in force: presented with
// another command, cwd, caller or wider roots, it is refused. Its nonce is consumed on first use, so an approval cannot be
// replayed, not even for the same command. Answers sent without a state Bastion issued are
// ignored and the person is asked. What the client reports the person answered is trusted as
// in the 2025 era: the client is the one that asks.
function createRoundTripConfirmer(
  ctx: ShellContext,
  extra: ToolExtra,
  call: string,
): CallConfirmer {
  // The capabilities this request declared in its own _meta envelope (the SDK validated it).
  const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  // Form mode is what the question needs: `elicitation: {}` means form, `{ url: {} }` alone not.
  const elicitation = capabilities?.elicitation;
  const canAsk =
    elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
  const state = extra.mcpReq.requestState<ApprovalState>();
  const status: StateStatus =
    state === undefined
      ? 'none'
      : state.call === call && ctx.approvals.consume(state, ctx.tool.caller?.principal ?? 'stdio')
        ? 'valid'
        : 'invalid';
  const pending = new Map<string, ConfirmQuestion>();
  return {
    ask(key, question) {
      if (!canAsk) return Promise.resolve('unsupported');
      if (status === 'invalid') return Promise.resolve('invalid');
      if (status === 'valid') {
        // Security: a question the sealed state did not ask cannot be answered by it.
        if (!state?.keys.includes(key)) return Promise.resolve('invalid');
        const view = inputResponse(extra.mcpReq.inputResponses, key);
        return Promise.resolve(
          view.kind === 'elicit' && isApproval(view) ? 'approved' : 'declined',
        );
      }
      pending.set(key, question);
      return Promise.resolve('pending');
    },
    async pendingResult() {
      if (pending.size === 0) return undefined;
      const inputRequests = Object.fromEntries(
        [...pending].map(([key, question]) => [
          key,
          inputRequired.elicit(confirmationForm(question)),
        ]),
      );
      const requestState = await ctx.approvals.mint(call, [...pending.keys()], extra);
      return inputRequired({ inputRequests, requestState });
    },
  };
}

// The confirmer for one call in the era this instance serves. `callParts` are the tool name
// and everything the call says (arguments, resolved cwd) that an approval must match.
export function confirmerFor(
  ctx: ShellContext,
  extra: ToolExtra,
  callParts: readonly unknown[],
): CallConfirmer {
  if (ctx.era === 'modern') {
    // The roots in force too: an approval given under narrower roots does not run under wider.
    const roots = ctx.guard.roots.map((root) => [root.path, root.mode]);
    const call = digestCall([...callParts, ctx.tool.caller?.principal ?? null, roots]);
    return createRoundTripConfirmer(ctx, extra, call);
  }
  return {
    ...createElicitConfirmer(ctx.tool.mcp, extra.mcpReq.signal),
    pendingResult: () => Promise.resolve(undefined),
  };
}
