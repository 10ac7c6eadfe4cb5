import { beforeAll, describe, expect, it } from 'vitest';
import { createCommandPolicyEngine, type CommandPolicyEngine } from '../../policy/command/index.js';
import { inputCheckFor, inputPolicyText } from './input-check.js';

describe('inputCheckFor', () => {
  let engine: CommandPolicyEngine;
  const kindOf = (command: string) => inputCheckFor(engine.analyze(command).commands).kind;

  beforeAll(async () => {
    engine = await createCommandPolicyEngine();
  });

  it.each([
    ['bash', 'shell'],
    ['env FOO=1 bash', 'shell'],
    ['$SHELL', 'shell'],
    ['python3 -i -q', 'interpreter'],
    ['python3 -qi', 'interpreter'],
    ['node -i', 'interpreter'],
    ['node --interactive', 'interpreter'],
    ['perl -de0', 'interpreter'],
    ['irb', 'interpreter'],
    ['python3 script.py', 'none'],
    ['node server.js', 'none'],
    ['npm run dev', 'none'],
    ['sleep 60', 'none'],
  ])('%j -> %s', (command, kind) => {
    expect(kindOf(command)).toBe(kind);
  });

  it('wraps REPL input as inline code with its quotes escaped', () => {
    const check = { kind: 'interpreter', program: 'python3', flag: '-c' } as const;
    expect(inputPolicyText(check, "print('a')")).toBe(`python3 -c 'print('\\''a'\\'')'`);
    expect(inputPolicyText({ kind: 'none' }, 'x')).toBeNull();
    expect(inputPolicyText({ kind: 'shell' }, 'ls')).toBe('ls');
  });
});
