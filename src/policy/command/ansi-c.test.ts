import { describe, expect, it } from 'vitest';
import { decodeAnsiC } from './ansi-c.js';

describe('decodeAnsiC', () => {
  it.each([
    ['\\x72m', 'rm'],
    ['\\162m', 'rm'],
    ['\\u0072m', 'rm'],
    ['\\U00000072m', 'rm'],
    ['a\\nb\\tc', 'a\nb\tc'],
    ['\\e[0m', '\x1b[0m'],
    ['\\cA', '\x01'],
    ["it\\'s", "it's"],
    ['\\q', '\\q'],
    ['\\x', '\\x'],
    ['rm\\0tail', 'rm'],
    ['rm\\x00tail', 'rm'],
    ['trailing\\', 'trailing\\'],
  ])('decodes %j as bash does', (body, expected) => {
    expect(decodeAnsiC(body)).toBe(expected);
  });
});
