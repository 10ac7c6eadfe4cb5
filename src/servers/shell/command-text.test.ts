import { describe, expect, it } from 'vitest';
import { ShellSchema } from '../../config/index.js';
import { auditText, resolveTimeoutMs, validateCommandText } from './command-text.js';

describe('command text and timeout validation', () => {
  const shell = ShellSchema.parse({ defaultTimeoutMs: 1000, maxTimeoutMs: 5000 });

  it('uses the default timeout and refuses (does not clamp) one over the maximum', () => {
    expect(resolveTimeoutMs(shell, undefined)).toBe(1000);
    expect(resolveTimeoutMs(shell, 5000)).toBe(5000);
    expect(() => resolveTimeoutMs(shell, 5001)).toThrow('timeoutMs: expected at most 5000');
    expect(() => resolveTimeoutMs(shell, 0)).toThrow('expected a positive integer');
    expect(() => resolveTimeoutMs(shell, 1.5)).toThrow('expected a positive integer');
  });

  it('refuses empty, NUL-bearing and oversized commands', () => {
    expect(validateCommandText('ls')).toBe('ls');
    expect(() => validateCommandText(' \n')).toThrow('expected a non-empty command');
    expect(() => validateCommandText('ls\0rm')).toThrow('without NUL');
    expect(() => validateCommandText('x'.repeat(100_001))).toThrow('expected at most 100000');
  });

  it('keeps audit details short, saying how much was cut', () => {
    expect(auditText('ls')).toBe('ls');
    expect(auditText('x'.repeat(5000))).toBe(`${'x'.repeat(4096)}…(+904 chars)`);
  });
});
