import { z } from 'zod';
import { InvalidInputError } from '../../../errors/index.js';
import { registerAuditedTool } from '../../shared/audited-tool.js';
import { gateCommand, refusalResult, resolveCommandPlace } from '../command-gate.js';
import { validateCommandText, validateInputText } from '../command-text.js';
import { buildSandboxLimits, buildSandboxSpec, shellArgv } from '../sandbox-request.js';
import type { ShellContext } from '../shell-context.js';
import { NO_POLICY_ACCESS, commandHints } from '../tool-annotations.js';
import { isShellProgram } from './is-shell-program.js';
import type { SessionRegistry } from './session-registry.js';
import { sessionPolicyText } from './session-start-text.js';
import { createShellSession } from './shell-session.js';

// A line ending in an unescaped backslash would join the NEXT input onto this line inside bash,
// letting two harmless-looking inputs form a denied command (`t\` + `ouch marker`).
function endsWithContinuation(input: string): boolean {
  const trimmed = input.replace(/[\r\n]+$/, '');
  const backslashes = trimmed.match(/\\+$/)?.[0].length ?? 0;
  return backslashes % 2 === 1;
}

// start_session and send_input: the two tools that make a session run something.
export function registerSessionStartTools(ctx: ShellContext, registry: SessionRegistry): void {
  const { shell } = ctx.config;
  registerAuditedTool(
    ctx.tool,
    'start_session',
    {
      title: 'Start an interactive session',
      description:
        'Start a long-running program (e.g. "bash", "python3 -i", a dev server) in the OS sandbox with ' +
        'its stdin open; returns a sessionId for send_input / read_output / kill_session. The start ' +
        'command is policy-checked like run_command. When the program is a shell, every input sent to ' +
        `it is policy-checked as a command too. At most ${shell.maxSessions} sessions run at once; a ` +
        `session idle for ${shell.sessionIdleMs} ms or alive for ${shell.sessionLifetimeMs} ms is ` +
        `killed. ${NO_POLICY_ACCESS}`,
      inputSchema: {
        command: z.string().describe('The program to start, as a bash command line'),
        cwd: z.string().optional().describe('Working directory inside an allowed root'),
      },
      outputSchema: { sessionId: z.string(), cwd: z.string(), inputIsPolicyChecked: z.boolean() },
      annotations: commandHints(ctx.config),
    },
    async (args, extra) => {
      const command = validateCommandText(args.command);
      registry.assertCapacity();
      const place = await resolveCommandPlace(ctx, args.cwd);
      const details = { command, cwd: place.cwd };
      const verdict = await gateCommand(ctx, command, place, extra, sessionPolicyText(command));
      if (!verdict.allowed) return refusalResult(verdict, details);
      registry.assertCapacity();
      const isShell = isShellProgram(verdict.decision.commands);
      const proc = ctx.deps.sandbox.spawn(
        shellArgv(command),
        buildSandboxSpec(ctx.config, place),
        buildSandboxLimits(ctx.config),
      );
      const session = createShellSession({
        process: proc,
        command,
        cwd: place.cwd,
        policy: place.policy,
        root: place.root,
        isShell,
        bufferBytes: shell.sessionBufferBytes,
        onEnd: (ended, end) => registry.ended(ended, end),
      });
      registry.add(session);
      const checked = isShell ? ' Each input you send is policy-checked as a shell command.' : '';
      return {
        content: [{ type: 'text', text: `Started session ${session.id}: ${command}.${checked}` }],
        structuredContent: { sessionId: session.id, cwd: place.cwd, inputIsPolicyChecked: isShell },
        audit: {
          decision: 'allow',
          rule: verdict.decision.rule,
          details: { ...details, sessionId: session.id, pid: proc.pid, isShell },
        },
      };
    },
  );

  registerAuditedTool(
    ctx.tool,
    'send_input',
    {
      title: 'Send input to a session',
      description:
        'Write text to a session\'s stdin; a newline is added when missing, so each call is one ' +
        'complete line or block. If the session runs a shell, the input is policy-checked as a ' +
        'command first and refused inputs are not sent. Send complete commands: a trailing line ' +
        `continuation (backslash) is refused. Read the result with read_output. ${NO_POLICY_ACCESS}`,
      inputSchema: {
        sessionId: z.string().describe('Id returned by start_session'),
        input: z.string().describe('Text to send, e.g. "echo hi"'),
      },
      annotations: commandHints(ctx.config),
    },
    async (args, extra) => {
      const session = registry.get(args.sessionId);
      registry.touch(session);
      validateInputText(args.input, 'input');
      const details = { sessionId: session.id, command: args.input, cwd: session.cwd, sessionCommand: session.command };
      if (!session.running) {
        throw new InvalidInputError(`session ${session.id} has ended; read_output shows how, start_session starts a new one`);
      }
      let rule: string | undefined;
      if (session.isShell && args.input.trim().length > 0) {
        const text = validateCommandText(args.input, 'input');
        // Security: each input must stand alone, or bash would join it with the next one and run
        // a command the policy never saw whole (open quotes, `$(`, trailing backslash).
        const analysis = ctx.deps.policy.analyze(text);
        if (endsWithContinuation(text) || !analysis.ok) {
          throw new InvalidInputError(
            'input: expected complete shell commands (closed quotes and brackets, no trailing \\), ' +
              `got an incomplete one${analysis.parseError ? ` (${analysis.parseError})` : ''}`,
          );
        }
        const place = { cwd: session.cwd, root: session.root, policy: session.policy };
        const verdict = await gateCommand(ctx, text, place, extra);
        // Security: a refused line never reaches the shell's stdin (marker test SH-SES-01).
        if (!verdict.allowed) return refusalResult(verdict, details);
        rule = verdict.decision.rule;
      }
      const input = args.input.endsWith('\n') ? args.input : `${args.input}\n`;
      await session.write(input);
      return {
        content: [{ type: 'text', text: `Sent ${Buffer.byteLength(input)} bytes to session ${session.id}; use read_output to see the result.` }],
        audit: { decision: 'allow', ...(rule ? { rule } : {}), details: { ...details, checked: session.isShell } },
      };
    },
  );
}
