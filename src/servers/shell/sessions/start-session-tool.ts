import { z } from 'zod';
import { registerAuditedTool } from '../../shared/audited-tool.js';
import { askResult, gateCommand, refusalResult, resolveCommandPlace } from '../command-gate.js';
import { confirmerFor } from '../confirm-round-trip.js';
import { auditText, validateCommandText } from '../command-text.js';
import { buildSandboxLimits, buildSandboxSpec, shellArgv } from '../sandbox-request.js';
import type { ShellContext } from '../shell-context.js';
import { NO_POLICY_ACCESS, commandHints } from '../tool-annotations.js';
import { inputCheckFor } from '../input-check.js';
import type { SessionRegistry } from './session-registry.js';
import { sessionPolicyText } from './session-start-text.js';
import { createShellSession } from './shell-session.js';

// start_session: policy-check the program, spawn it in the sandbox with stdin open.
export function registerStartSessionTool(ctx: ShellContext, registry: SessionRegistry): void {
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
        `killed. File changes made in a session go to the roots directly and are NOT kept for undo ` +
        '(only run_command keeps them). ' +
        NO_POLICY_ACCESS,
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
      const details = { command: auditText(command), cwd: place.cwd };
      const confirmer = confirmerFor(ctx, extra, [
        'start_session',
        command,
        args.cwd ?? null,
        place.cwd,
      ]);
      const verdict = await gateCommand(
        ctx,
        command,
        place,
        confirmer,
        'confirm_command',
        sessionPolicyText(command),
      );
      const ask = await confirmer.pendingResult();
      if (ask !== undefined) return askResult(ask, verdict.decision.rule, details);
      if (!verdict.allowed) return refusalResult(verdict, details);
      registry.assertCapacity();
      const inputCheck = inputCheckFor(verdict.decision.commands);
      const checked = inputCheck.kind !== 'none';
      const proc = ctx.deps.sandbox.spawn(
        shellArgv(command),
        buildSandboxSpec(ctx.config, place, ctx.guard.roots, verdict.confirmedEntries),
        buildSandboxLimits(ctx.config),
      );
      const session = createShellSession({
        process: proc,
        command,
        cwd: place.cwd,
        policy: place.policy,
        root: place.root,
        inputCheck,
        bufferBytes: shell.sessionBufferBytes,
        onEnd: (ended, end) => registry.ended(ended, end),
      });
      registry.add(session);
      const note = checked ? ' Each input you send is policy-checked before it is sent.' : '';
      return {
        content: [{ type: 'text', text: `Started session ${session.id}: ${command}.${note}` }],
        structuredContent: { sessionId: session.id, cwd: place.cwd, inputIsPolicyChecked: checked },
        audit: {
          decision: 'allow',
          rule: verdict.decision.rule,
          details: {
            ...details,
            sessionId: session.id,
            pid: proc.pid,
            inputCheck: inputCheck.kind,
          },
        },
      };
    },
  );
}
