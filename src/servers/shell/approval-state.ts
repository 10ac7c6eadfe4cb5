import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createRequestStateCodec, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { CONFIRM_TIMEOUT_MS } from './confirm-command.js';

// How long an issued question stays answerable: as long as a 2025 elicitation may take.
const APPROVAL_TTL_SECONDS = CONFIRM_TIMEOUT_MS / 1000;
// Bound on the approvals remembered as used per caller (a token in the hub, `stdio` on a pipe);
// past it that caller's new answers are refused (fail closed). Per caller, so one token that
// fills its share cannot make the confirmations of the others fail: each is asked of a person,
// so a thousand in ten minutes is already far past any real use.
const MAX_REMEMBERED_PER_CALLER = 1_000;

// What Bastion seals into the requestState of a 2026-07-28 confirmation round: the digest of
// the exact call it asked about, a one-time nonce, the question keys it sent, and its expiry.
export const ApprovalStateSchema = z
  .object({
    v: z.literal(1),
    call: z.string().regex(/^[0-9a-f]{64}$/),
    nonce: z.string().uuid(),
    keys: z.array(z.string()).min(1).max(8),
    expMs: z.number().int().positive(),
  })
  .strict();
export type ApprovalState = z.infer<typeof ApprovalStateSchema>;

// Issues and checks confirmation states for one shell service (one stdio connection, or the
// whole hub process): the key never leaves the process, and each state can be used once.
export interface ApprovalStates {
  // The ServerOptions.requestState.verify hook: MAC, expiry and shape, before any handler runs.
  verify: (state: string, ctx: ServerContext) => Promise<ApprovalState>;
  mint: (call: string, keys: string[], ctx: ServerContext) => Promise<string>;
  // true the first time a (verified) state is presented, false ever after or once expired.
  consume: (state: ApprovalState, caller: string) => boolean;
}

// The digest that names one exact call: tool, every argument, the resolved cwd and the caller.
export function digestCall(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

// One set of approval states with a fresh random key.
export function createApprovalStates(): ApprovalStates {
  // Security: HMAC-SHA256 with a per-process random key: a client cannot forge a state or
  // alter the call it names; bound to tools/call so a state is useless on any other method.
  const codec = createRequestStateCodec<unknown>({
    key: randomBytes(32),
    ttlSeconds: APPROVAL_TTL_SECONDS,
    bind: (ctx) => ctx.mcpReq.method,
  });
  // caller -> nonce -> expiry of the approvals already used.
  const usedBy = new Map<string, Map<string, number>>();
  const sweep = (now: number): void => {
    for (const [caller, used] of usedBy) {
      for (const [nonce, expMs] of used) if (expMs < now) used.delete(nonce);
      if (used.size === 0) usedBy.delete(caller);
    }
  };
  return {
    async verify(state, ctx) {
      return ApprovalStateSchema.parse(await codec.verify(state, ctx));
    },
    mint(call, keys, ctx) {
      const state: ApprovalState = {
        v: 1,
        call,
        nonce: randomUUID(),
        keys,
        expMs: Date.now() + APPROVAL_TTL_SECONDS * 1000,
      };
      return codec.mint(state, ctx);
    },
    consume(state, caller) {
      const now = Date.now();
      sweep(now);
      // Security: replay: an approval counts for one call only; a used or expired one is refused.
      // The nonce is looked up under every caller: the call digest already binds the caller, and
      // a nonce is never valid twice whoever presents it.
      if (state.expMs < now) return false;
      for (const used of usedBy.values()) if (used.has(state.nonce)) return false;
      const used = usedBy.get(caller) ?? new Map<string, number>();
      if (used.size >= MAX_REMEMBERED_PER_CALLER) return false;
      used.set(state.nonce, state.expMs);
      usedBy.set(caller, used);
      return true;
    },
  };
}
