import { z } from 'zod';
import { InvalidInputError } from '../../../errors/index.js';
import { registerAuditedTool } from '../../shared/audited-tool.js';
import { gateCommand, refusalResult } from '../command-gate.js';
import { NEVER_ASKS } from '../confirm-command.js';
import { auditText, validateCommandText, validateInputText } from '../command-text.js';
import type { ShellContext } from '../shell-context.js';
import { NO_POLICY_ACCESS, commandHints } from '../tool-annotations.js';
import { inputPolicyText } from '../input-check.js';
import type { SessionRegistry } from './session-registry.js';

// A line ending in an unescaped backslash would join the NEXT input onto this line inside bash,
// letting two harmless-looking inputs form a denied command (`t\` + `ouch marker`).
function endsWithContinuation(input: string): boolean {
  const trimmed = input.replace(/[\r\n]+$/, '');
  const backslashes = trimmed.match(/\\+$/)?.[0].length ?? 0;
  return backslashes % 2 === 1;
}

// send_input: policy-check what the agent types (shells and known REPLs), then write it.
export function registerSendInputTool(ctx: ShellContext, registry: SessionRegistry): void {
  registerAuditedTool(
    ctx.tool,
    'send_input',
    {
      title: 'Send input to a session',
      description:
        "Write text to a session's stdin; a newline is added when missing, so each call is one " +
        'complete line or block. If the session runs a shell, the input is policy-checked as a ' +
        'command first (for a known REPL such as python3 or node, as inline code); refused inputs ' +
        'are not sent. Send complete commands: open quotes or a trailing backslash are refused. ' +
        `Read the result with read_output. ${NO_POLICY_ACCESS}`,
      inputSchema: {
        sessionId: z.string().describe('Id returned by start_session'),
        input: z.string().describe('Text to send, e.g. "echo hi"'),
      },
      annotations: commandHints(ctx.config),
    },
    async (args) => {
      const session = registry.get(args.sessionId);
      registry.touch(session);
      validateInputText(args.input, 'input');
      const details = {
        sessionId: session.id,
        command: auditText(args.input),
        cwd: session.cwd,
        sessionCommand: auditText(session.command),
      };
      if (!session.running) {
        throw new InvalidInputError(
          `session ${session.id} has ended; read_output shows how, start_session starts a new one`,
        );
      }
      const checkText =
        args.input.trim().length > 0 ? inputPolicyText(session.inputCheck, args.input) : null;
      let rule: string | undefined;
      if (checkText !== null) {
        validateCommandText(args.input, 'input');
        if (session.inputCheck.kind === 'shell') {
          // Security: each input must stand alone, or bash would join it with the next one and
          // run a command the policy never saw whole (open quotes, `$(`, trailing backslash).
          const analysis = ctx.deps.policy.analyze(args.input);
          if (endsWithContinuation(args.input) || !analysis.ok) {
            throw new InvalidInputError(
              'input: expected complete shell commands (closed quotes and brackets, no trailing \\), ' +
                `got an incomplete one${analysis.parseError ? ` (${analysis.parseError})` : ''}`,
            );
          }
        }
        const place = { cwd: session.cwd, root: session.root, policy: session.policy };
        // A running session cannot gain programs: a confirm rule is refused before anyone is asked.
        const verdict = await gateCommand(
          ctx,
          args.input,
          place,
          NEVER_ASKS,
          'confirm_input',
          checkText,
          false,
        );
        // Security: a refused input never reaches the program's stdin (marker test SH-SES-01).
        if (!verdict.allowed) return refusalResult(verdict, details);
        rule = verdict.decision.rule;
      }
      const input = args.input.endsWith('\n') ? args.input : `${args.input}\n`;
      session.write(input);
      return {
        content: [
          {
            type: 'text',
            text: `Sent ${Buffer.byteLength(input)} bytes to session ${session.id}; use read_output to see the result.`,
          },
        ],
        audit: {
          decision: 'allow',
          ...(rule ? { rule } : {}),
          details: { ...details, checked: session.inputCheck.kind },
        },
      };
    },
  );
}
