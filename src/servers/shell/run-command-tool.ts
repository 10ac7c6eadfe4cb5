import { z } from 'zod';
import { registerAuditedTool } from '../shared/audited-tool.js';
import {
  auditText,
  resolveTimeoutMs,
  validateCommandText,
  validateInputText,
} from './command-text.js';
import { gateCommand, refusalResult, resolveCommandPlace } from './command-gate.js';
import {
  RunOutputShape,
  auditRunDetails,
  describeEnding,
  formatRunText,
  toStructuredRun,
} from './format-run-result.js';
import { startProgress } from './progress-reporter.js';
import { inputCheckFor, inputPolicyText } from './input-check.js';
import { buildSandboxLimits, buildSandboxSpec, shellArgv } from './sandbox-request.js';
import type { ShellContext } from './shell-context.js';
import { NO_POLICY_ACCESS, commandHints } from './tool-annotations.js';

// run_command: cwd -> root -> policy (maybe the user's confirmation) -> sandboxed bash -> result.
export function registerRunCommandTool(ctx: ShellContext): void {
  const { shell } = ctx.config;
  registerAuditedTool(
    ctx.tool,
    'run_command',
    {
      title: 'Run a shell command',
      description:
        'Run one bash command line in an OS sandbox that can only see the allowed roots, and return ' +
        "its exit code, stdout and stderr. The command is checked against the user's command policy " +
        "first; refused commands are not run, and some may need the user's confirmation. " +
        `cwd must be a directory inside a root (default: the first root). timeoutMs defaults to ` +
        `${shell.defaultTimeoutMs} and may be at most ${shell.maxTimeoutMs} (larger values are refused, ` +
        `not clamped). Output over ${shell.maxOutputBytes} bytes per stream is truncated, keeping the ` +
        'head and the tail. Sends progress notifications when given a progressToken; cancelling the ' +
        `request kills the command and its children. ${NO_POLICY_ACCESS}`,
      inputSchema: {
        command: z.string().describe('A bash command line, e.g. "npm test" or "ls -la | head"'),
        cwd: z.string().optional().describe('Working directory inside an allowed root'),
        timeoutMs: z.number().optional().describe(`Timeout in ms (at most ${shell.maxTimeoutMs})`),
        stdin: z.string().optional().describe("Text written to the command's stdin, then closed"),
      },
      outputSchema: RunOutputShape,
      annotations: commandHints(ctx.config),
    },
    async (args, extra) => {
      const command = validateCommandText(args.command);
      const timeoutMs = resolveTimeoutMs(shell, args.timeoutMs);
      if (args.stdin !== undefined) validateInputText(args.stdin, 'stdin');
      const place = await resolveCommandPlace(ctx, args.cwd);
      const details = { command: auditText(command), cwd: place.cwd };
      const verdict = await gateCommand(ctx, command, place, extra);
      if (!verdict.allowed) return refusalResult(verdict, details);
      // Security: `python3 -i` (or node -i, ...) runs its stdin as code: check it like a session input.
      const stdinCheck = inputCheckFor(verdict.decision.commands);
      const confirmed = [...verdict.confirmedEntries];
      if (
        args.stdin !== undefined &&
        args.stdin.trim().length > 0 &&
        stdinCheck.kind === 'interpreter'
      ) {
        const stdinText = inputPolicyText(stdinCheck, args.stdin) ?? '';
        const stdinVerdict = await gateCommand(ctx, args.stdin, place, extra, stdinText);
        if (!stdinVerdict.allowed)
          return refusalResult(stdinVerdict, { ...details, stdinChecked: true });
        confirmed.push(...stdinVerdict.confirmedEntries);
      }

      const progress = startProgress(extra);
      const result = await ctx.deps.sandbox
        .run(
          shellArgv(command),
          buildSandboxSpec(ctx.config, place, ctx.guard.roots, confirmed),
          buildSandboxLimits(ctx.config),
          {
            timeoutMs,
            maxOutputBytes: shell.maxOutputBytes,
            ...(args.stdin !== undefined ? { stdin: args.stdin } : {}),
            signal: extra.mcpReq.signal,
            onOutput: (bytes) => progress.onOutput(bytes),
          },
        )
        .finally(() => progress.stop());
      return {
        content: [{ type: 'text', text: formatRunText(command, result, timeoutMs) }],
        structuredContent: toStructuredRun(result, place.cwd),
        audit: {
          decision: 'allow',
          rule: verdict.decision.rule,
          details: {
            ...details,
            ...auditRunDetails(result),
            ending: describeEnding(result, timeoutMs),
            ...(verdict.confirmed ? { confirmedByUser: true } : {}),
          },
        },
      };
    },
  );
}
