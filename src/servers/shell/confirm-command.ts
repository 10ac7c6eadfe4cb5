import type { McpServer } from '@modelcontextprotocol/server';

// The user's answer to "run this?"; `unsupported` when the client never declared elicitation.
export type ConfirmationAnswer = 'approved' | 'declined' | 'unsupported';

// Long enough for a person to read the prompt; the SDK default (60 s) is meant for machines.
const CONFIRM_TIMEOUT_MS = 10 * 60_000;

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

// Ask the person behind the client to approve one command. Only an explicit accept with
// approve=true counts; decline, cancel, a missing field or a failed request all mean no.
export async function confirmCommand(
  mcp: McpServer,
  question: { command: string; cwd: string; rule: string; reason: string },
  signal: AbortSignal,
): Promise<ConfirmationAnswer> {
  if (mcp.server.getClientCapabilities()?.elicitation === undefined) return 'unsupported';
  try {
    const answer = await mcp.server.elicitInput(
      {
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
      },
      { signal, timeout: CONFIRM_TIMEOUT_MS },
    );
    // Security: anything but an explicit accept + approve:true is a refusal (fail closed).
    return answer.action === 'accept' && answer.content?.approve === true ? 'approved' : 'declined';
  } catch {
    return 'declined';
  }
}
