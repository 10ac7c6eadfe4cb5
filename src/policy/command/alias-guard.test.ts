import { beforeAll, describe, expect, it } from 'vitest';
import { CommandPolicySchema } from '../../config/index.js';
import { createCommandPolicyEngine, type CommandPolicyEngine } from './index.js';
import { checkAliases } from './alias-guard.js';

describe('checkAliases', () => {
  let engine: CommandPolicyEngine;
  const policy = CommandPolicySchema.parse({ mode: 'denylist', deny: ['touch'] });
  const decide = (command: string) =>
    checkAliases(engine, command, policy, engine.decide(command, policy));

  beforeAll(async () => {
    engine = await createCommandPolicyEngine();
  });

  it.each([
    ['alias t=touch', 'strict:alias-body'],
    ["alias ok='ls -la' t='touch -c'", 'strict:alias-body'],
    ['alias "$x"', 'strict:alias-body'],
    ['BASH_ALIASES[t]=touch', 'strict:alias-expansion'],
    ['declare "BASH_ALI""ASES[t]=touch"', 'strict:alias-expansion'],
    ['shopt -s expand_aliases', 'strict:alias-expansion'],
    ['shopt -s "$opt"', 'strict:alias-expansion'],
    ['env BASH\\OPTS=x bash -c ls', 'strict:alias-expansion'],
    ["bash -ic 'ls'", 'strict:alias-expansion'],
  ])('refuses %j (%s)', (command, rule) => {
    const decision = decide(command);
    expect(decision.action).toBe('deny');
    expect(decision.rule).toBe(rule);
  });

  it.each(["alias ll='ls -la'", 'alias', 'alias -p', 'shopt -s globstar', 'bash -c ls', 'ls -i'])(
    'allows %j',
    (command) => {
      expect(decide(command).action).toBe('allow');
    },
  );
});
