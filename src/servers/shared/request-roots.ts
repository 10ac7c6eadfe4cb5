import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  isInputRequiredResult,
  type ClientCapabilities,
  type InputRequests,
} from '@modelcontextprotocol/server';
import type { PathGuard } from '../../policy/paths/index.js';
import type { AskResultWithAudit, ToolExtra, ToolResultWithAudit } from './audited-tool.js';

// The key of Bastion's roots question in an input-required result.
export const ROOTS_INPUT_KEY = 'bastion_roots';

type HandlerResult = ToolResultWithAudit | AskResultWithAudit;

// The roots question, added to whatever else a round asks, so the retry that answers the other
// questions still carries the roots (each retry brings the answers of the last round only).
function withRootsQuestion(inputRequests: InputRequests | undefined): InputRequests {
  return { ...inputRequests, [ROOTS_INPUT_KEY]: inputRequired.listRoots() };
}

// A 2026-07-28 request has no connection to ask roots/list on: a client that declares roots in
// the request's _meta envelope is asked with an input-required result (roots/list), and the
// call runs on the retry with the guard narrowed to the answer for that request alone (nothing
// is kept for the next request or another caller). No call runs before its narrowing is known.
// An empty list is "no opinion" (the configured roots apply), as for 2025 clients.
export async function runInRequestRoots(
  guard: PathGuard,
  extra: ToolExtra,
  run: () => Promise<HandlerResult>,
): Promise<HandlerResult> {
  const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  if (capabilities?.roots === undefined) return run();
  const answer = inputResponse(extra.mcpReq.inputResponses, ROOTS_INPUT_KEY);
  if (answer.kind !== 'roots') {
    return {
      ...inputRequired({ inputRequests: withRootsQuestion(undefined) }),
      audit: { decision: 'allow', details: { awaiting: 'roots', ran: false } },
    };
  }
  // The answer is untrusted: only string URIs are read, and they can only narrow (path guard).
  const uris = answer.roots.flatMap((root) => (typeof root.uri === 'string' ? [root.uri] : []));
  const result = await guard.withClientRoots(uris.length > 0 ? uris : undefined, run);
  if (!isInputRequiredResult(result)) return result;
  return { ...result, inputRequests: withRootsQuestion(result.inputRequests) };
}
