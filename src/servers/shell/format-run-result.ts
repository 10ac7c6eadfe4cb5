import { z } from 'zod';
import type { CappedText, RunResult } from '../../sandbox/index.js';
import { nullableString } from '../shared/portable-schema.js';

// The structured result of run_command, also its outputSchema.
export const RunOutputShape = {
  exitCode: z.number().int().nullable().describe('Exit code, or null when killed by a signal'),
  signal: nullableString('Signal that ended the command, if any'),
  timedOut: z.boolean().describe('True when the command ran past its timeout and was killed'),
  cancelled: z.boolean().describe('True when the request was cancelled and the command killed'),
  outputLimitHit: z.boolean().describe('True when the command was killed for flooding output'),
  durationMs: z.number(),
  cwd: z.string(),
  stdout: z.string().describe('Captured stdout; head and tail are kept when truncated'),
  stderr: z.string().describe('Captured stderr; head and tail are kept when truncated'),
  stdoutBytes: z.number().int().describe('Total bytes the command wrote to stdout'),
  stderrBytes: z.number().int().describe('Total bytes the command wrote to stderr'),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  change: z
    .string()
    .optional()
    .describe('History id of the files the command changed (undo with undo_change)'),
  historyNotes: z
    .array(z.string())
    .optional()
    .describe('What of the command’s file changes was not kept for undo, or not applied'),
};

// One line saying how a command ended, for the text summary and the audit log.
export function describeEnding(result: RunResult, timeoutMs: number): string {
  if (result.timedOut)
    return `timed out after ${timeoutMs} ms; the command and its children were killed`;
  if (result.cancelled) return 'cancelled; the command and its children were killed';
  if (result.outputLimitHit) return 'killed for writing far more output than the cap';
  if (result.exitCode !== null) return `exit code ${result.exitCode}`;
  return `killed by signal ${result.signal ?? 'unknown'}`;
}

function section(name: string, captured: CappedText): string {
  if (captured.totalBytes === 0) return `--- ${name}: empty ---`;
  const shown = Buffer.byteLength(captured.text, 'utf8');
  const header = captured.truncated
    ? `--- ${name}: ${captured.totalBytes} bytes, TRUNCATED to about ${shown} bytes ` +
      `(the first and last parts are kept; ${Math.max(0, captured.totalBytes - shown)} bytes omitted) ---`
    : `--- ${name}: ${captured.totalBytes} bytes ---`;
  return `${header}\n${captured.text}`;
}

// The readable text content: a summary line, then stdout and stderr with their sizes.
export function formatRunText(command: string, result: RunResult, timeoutMs: number): string {
  const summary = `$ ${command}\n${describeEnding(result, timeoutMs)} (${Math.round(result.durationMs)} ms)`;
  return [summary, section('stdout', result.stdout), section('stderr', result.stderr)].join('\n');
}

// The structuredContent matching RunOutputShape.
export function toStructuredRun(result: RunResult, cwd: string): Record<string, unknown> {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    outputLimitHit: result.outputLimitHit,
    durationMs: Math.round(result.durationMs),
    cwd,
    stdout: result.stdout.text,
    stderr: result.stderr.text,
    stdoutBytes: result.stdout.totalBytes,
    stderrBytes: result.stderr.totalBytes,
    stdoutTruncated: result.stdout.truncated,
    stderrTruncated: result.stderr.truncated,
  };
}

// The audit facts of a finished command (sizes, not contents).
export function auditRunDetails(result: RunResult): Record<string, unknown> {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    outputLimitHit: result.outputLimitHit,
    commandDurationMs: Math.round(result.durationMs),
    stdoutBytes: result.stdout.totalBytes,
    stderrBytes: result.stderr.totalBytes,
  };
}
