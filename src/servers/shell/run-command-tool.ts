import { z } from 'zod';
import { registerAuditedTool } from '../shared/audited-tool.js';
import {
  auditText,
  resolveTimeoutMs,
  validateCommandText,
  validateInputText,
} from './command-text.js';
import { askResult, gateCommand, refusalResult, resolveCommandPlace } from './command-gate.js';
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
import { confirmerFor } from './confirm-round-trip.js';
import type { ShellContext } from './shell-context.js';
import {
  beginCommandHistory,
  commandHistoryText,
  historyAudit,
  historyText,
} from './command-history-result.js';
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
        `request kills the command and its children. ${commandHistoryText(ctx)} ${NO_POLICY_ACCESS}`,
      inputSchema: {
        command: z.string().describe('A bash command line, e.g. "npm test" or "ls -la | head"'),
        cwd: z.string().optional().describe('Working directory inside an allowed root'),
        timeoutMs: z.number().optional().describe(`Timeout in ms (at most ${shell.maxTimeoutMs})`),
        stdin: z.string().optional().describe("Text written to the command's stdin, then closed"),
      },
      outputSchema: RunOutputShape,
      annotations: commandHints(ctx.config),
    },
    async (args, extra, info) => {
      const command = validateCommandText(args.command);
      const timeoutMs = resolveTimeoutMs(shell, args.timeoutMs);
      if (args.stdin !== undefined) validateInputText(args.stdin, 'stdin');
      const place = await resolveCommandPlace(ctx, args.cwd);
      const details = { command: auditText(command), cwd: place.cwd };
      // An approval counts for exactly this call: every argument and the resolved cwd.
      const confirmer = confirmerFor(ctx, extra, [
        'run_command',
        command,
        args.cwd ?? null,
        place.cwd,
        args.stdin ?? null,
        timeoutMs,
      ]);
      const verdict = await gateCommand(ctx, command, place, confirmer, 'confirm_command');
      if (!verdict.allowed && verdict.pending !== true) return refusalResult(verdict, details);
      // Security: `python3 -i` (or node -i, ...) runs its stdin as code: check it like a session input.
      const stdinCheck = inputCheckFor(verdict.decision.commands);
      const confirmed = verdict.allowed ? [...verdict.confirmedEntries] : [];
      if (
        args.stdin !== undefined &&
        args.stdin.trim().length > 0 &&
        stdinCheck.kind === 'interpreter'
      ) {
        const stdinText = inputPolicyText(stdinCheck, args.stdin) ?? '';
        const stdinVerdict = await gateCommand(
          ctx,
          args.stdin,
          place,
          confirmer,
          'confirm_stdin',
          stdinText,
        );
        if (!stdinVerdict.allowed && stdinVerdict.pending !== true)
          return refusalResult(stdinVerdict, { ...details, stdinChecked: true });
        if (stdinVerdict.allowed) confirmed.push(...stdinVerdict.confirmedEntries);
      }
      // 2026-07-28: every question of this call goes out in one input-required result.
      const ask = await confirmer.pendingResult();
      if (ask !== undefined) return askResult(ask, verdict.decision.rule, details);
      // Security: nothing runs unless every gate allowed it (a pending one always has a result above).
      if (!verdict.allowed) return refusalResult(verdict, details);

      const progress = startProgress(extra);
      const spec = buildSandboxSpec(ctx.config, place, ctx.guard.roots, confirmed);
      // History: the read-write roots are overlaid; their writes are applied after the exit.
      const staged = beginCommandHistory(ctx, spec.roots, info);
      const result = await ctx.deps.sandbox
        .run(
          shellArgv(command),
          staged !== undefined ? { ...spec, overlays: staged.overlays } : spec,
          buildSandboxLimits(ctx.config),
          {
            timeoutMs,
            maxOutputBytes: shell.maxOutputBytes,
            ...(args.stdin !== undefined ? { stdin: args.stdin } : {}),
            signal: extra.mcpReq.signal,
            onOutput: (bytes) => progress.onOutput(bytes),
          },
        )
        .catch((err: unknown) => {
          staged?.abandon();
          throw err;
        })
        .finally(() => progress.stop());
      const kept = staged?.finish((result.overlaid ?? []).map((o) => o.lower));
      return {
        content: [
          { type: 'text', text: formatRunText(command, result, timeoutMs) + historyText(kept) },
        ],
        structuredContent: {
          ...toStructuredRun(result, place.cwd),
          ...(kept?.change !== undefined ? { change: kept.change.id } : {}),
          ...(kept !== undefined && kept.notes.length > 0 ? { historyNotes: kept.notes } : {}),
        },
        audit: {
          decision: 'allow',
          rule: verdict.decision.rule,
          details: {
            ...details,
            ...auditRunDetails(result),
            ...historyAudit(kept),
            ending: describeEnding(result, timeoutMs),
            ...(verdict.confirmed ? { confirmedByUser: true } : {}),
          },
        },
      };
    },
  );
}
