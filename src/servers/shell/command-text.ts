import type { ShellConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';

// Upper bound on a command or session input, far above any real command line.
export const MAX_COMMAND_CHARS = 100_000;

// Upper bound on stdin / session input: what an agent could reasonably type or paste.
export const MAX_INPUT_BYTES = 1024 * 1024;

// Refuse empty, NUL-bearing or oversized command text before it reaches the policy or a shell.
export function validateCommandText(rawCommand: string, field = 'command'): string {
  if (rawCommand.trim().length === 0) {
    throw new InvalidInputError(`${field}: expected a non-empty command, got an empty string`);
  }
  // Security: bash silently drops everything after a NUL, so the policy would see other text.
  if (rawCommand.includes('\0')) {
    throw new InvalidInputError(`${field}: expected text without NUL bytes`);
  }
  if (rawCommand.length > MAX_COMMAND_CHARS) {
    throw new InvalidInputError(
      `${field}: expected at most ${MAX_COMMAND_CHARS} characters, got ${rawCommand.length}`,
    );
  }
  return rawCommand;
}

// Refuse input that is too large to hand to a process in one go.
export function validateInputText(rawInput: string, field: string): string {
  const bytes = Buffer.byteLength(rawInput, 'utf8');
  if (bytes > MAX_INPUT_BYTES) {
    throw new InvalidInputError(
      `${field}: expected at most ${MAX_INPUT_BYTES} bytes, got ${bytes}`,
    );
  }
  return rawInput;
}

// The timeout to use: the default when absent; over the maximum is refused, not clamped, so the
// agent is never surprised by a command killed earlier than it asked.
export function resolveTimeoutMs(
  shell: Readonly<ShellConfig>,
  rawTimeoutMs: number | undefined,
): number {
  if (rawTimeoutMs === undefined) return shell.defaultTimeoutMs;
  if (!Number.isInteger(rawTimeoutMs) || rawTimeoutMs <= 0) {
    throw new InvalidInputError(`timeoutMs: expected a positive integer, got ${rawTimeoutMs}`);
  }
  if (rawTimeoutMs > shell.maxTimeoutMs) {
    throw new InvalidInputError(
      `timeoutMs: expected at most ${shell.maxTimeoutMs} (the configured maximum), got ${rawTimeoutMs}; ` +
        'use a session (start_session) for longer-running programs',
    );
  }
  return rawTimeoutMs;
}

// Longest command text copied into an audit record's details (the full text is in its args).
export const AUDIT_TEXT_CHARS = 4096;

// Command text for the audit details: whole when short, else its head and how much was cut.
export function auditText(text: string): string {
  if (text.length <= AUDIT_TEXT_CHARS) return text;
  return `${text.slice(0, AUDIT_TEXT_CHARS)}…(+${text.length - AUDIT_TEXT_CHARS} chars)`;
}
