import type { ElicitRequestFormParams, McpServer } from '@modelcontextprotocol/server';

// The user's answer to "run this?"; `unsupported` when the client never declared elicitation;
// `pending` when the question went out in an input-required result (2026-07-28) and the answer
// comes with the client's retry of the call; `invalid` when an answer came back that was not
// issued for this very call (another command, another caller, or already used).
export type ConfirmationAnswer = 'approved' | 'declined' | 'unsupported' | 'pending' | 'invalid';

// What the person is asked about: the command, where it runs, and why the policy asks.
export interface ConfirmQuestion {
  command: string;
  cwd: string;
  rule: string;
  reason: string;
}

// How a tool asks: by elicitation on a 2025 connection, by an input-required round trip on a
// 2026-07-28 request. `key` names the question within one call (the command, or its stdin).
export interface Confirmer {
  ask(key: string, question: ConfirmQuestion): Promise<ConfirmationAnswer>;
}

// For gates that refuse a confirm rule before asking (a running session's input).
export const NEVER_ASKS: Confirmer = { ask: () => Promise.resolve('declined') };

// Long enough for a person to read the prompt; the SDK default (60 s) is meant for machines.
export const CONFIRM_TIMEOUT_MS = 10 * 60_000;

// Characters JSON.stringify leaves alone that can still hide or reorder text on a screen:
// DEL and C1 controls, zero-width characters, bidi overrides and isolates ("Trojan Source").
const INVISIBLE =
  /[\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

// Show a command exactly: quoted, with newlines, escapes and invisible characters spelled out,
// so a crafted command cannot fake or hide part of the approval prompt.
export function displayCommand(command: string): string {
  return JSON.stringify(command).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// The form both eras show the person: the exact command and directory, and one boolean.
export function confirmationForm(question: ConfirmQuestion): ElicitRequestFormParams {
  return {
    message:
      `Bastion: an agent wants to run a command that needs your approval (rule "${question.rule}": ` +
      `${question.reason}).\n\nCommand: ${displayCommand(question.command)}\n` +
      `Directory: ${displayCommand(question.cwd)}\n\nApprove?`,
    requestedSchema: {
      type: 'object',
      properties: {
        approve: {
          type: 'boolean',
          title: 'Run this command',
          description: 'Approve running it once',
        },
      },
      required: ['approve'],
    },
  };
}

// Only an explicit accept with approve=true counts; decline, cancel or a missing field mean no.
export function isApproval(answer: { action?: unknown; content?: unknown } | undefined): boolean {
  const content = answer?.content as Record<string, unknown> | undefined;
  // Security: anything but an explicit accept + approve:true is a refusal (fail closed).
  return answer?.action === 'accept' && content?.approve === true;
}

// The 2025 way: ask the person behind the client with an elicitation/create request and wait
// for the answer; a failed or cancelled request means no.
export function createElicitConfirmer(mcp: McpServer, signal: AbortSignal): Confirmer {
  return {
    async ask(_key, question) {
      if (mcp.server.getClientCapabilities()?.elicitation === undefined) return 'unsupported';
      try {
        const answer = await mcp.server.elicitInput(confirmationForm(question), {
          signal,
          timeout: CONFIRM_TIMEOUT_MS,
        });
        return isApproval(answer) ? 'approved' : 'declined';
      } catch {
        return 'declined';
      }
    },
  };
}
