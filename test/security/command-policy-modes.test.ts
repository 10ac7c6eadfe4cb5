import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Root } from '../../src/config/load-config.js';
import { CommandPolicySchema, type CommandPolicy } from '../../src/config/schema.js';
import {
  createCommandPolicyEngine,
  effectivePolicy,
  type CommandPolicyEngine,
  type PolicyDecision,
} from '../../src/policy/command/index.js';

const DEFAULTS: CommandPolicy = CommandPolicySchema.parse({});
const ALLOW_NPM: CommandPolicy = {
  mode: 'allowlist',
  allow: ['npm', 'git'],
  deny: [],
  confirm: [],
  strict: true,
};
const root = (commands?: Root['commands']): Root => ({
  path: '/work/r',
  mode: 'read-write',
  ...(commands ? { commands } : {}),
});

function expectValid(decision: PolicyDecision): void {
  expect(['allow', 'deny', 'confirm']).toContain(decision.action);
  expect(decision.rule.length).toBeGreaterThan(0);
  expect(decision.message.length).toBeGreaterThan(0);
  expect(Array.isArray(decision.commands)).toBe(true);
}

describe('command policy: allowlist, roots, hostile input', () => {
  let engine: CommandPolicyEngine;
  beforeAll(async () => {
    engine = await createCommandPolicyEngine();
  });

  it('[CMD-ALLOW-01] allows listed commands and safe builtins, denies the unlisted one by name', () => {
    expect(engine.decide('npm test', ALLOW_NPM).action).toBe('allow');
    expect(engine.decide('cd sub && git status; echo done', ALLOW_NPM).action).toBe('allow');
    const denied = engine.decide('npm test; curl x', ALLOW_NPM);
    expect(denied).toMatchObject({ action: 'deny', rule: 'allowlist:not-listed:curl' });
    expect(denied.message).toContain('curl');
    expect(denied.message).toContain('npm, git');
  });

  it('[CMD-ALLOW-01] checks what wrappers and substitutions run, not only the first word', () => {
    const cases: [string, string][] = [
      ['npm test $(curl x)', 'allowlist:not-listed:curl'],
      ['git log | sh -c "curl x"', 'allowlist:not-listed:sh'],
      ['env curl x', 'allowlist:not-listed:env'],
      ['/usr/bin/curl x', 'allowlist:not-listed:curl'],
      ["git -c core.pager='curl x' log", 'allow:allowlist'],
    ];
    for (const [command, rule] of cases)
      expect(engine.decide(command, ALLOW_NPM).rule, command).toBe(rule);
    const withEnv = { ...ALLOW_NPM, allow: ['npm', 'env'] };
    expect(engine.decide('env FOO=1 curl x', withEnv).rule).toBe('allowlist:not-listed:curl');
  });

  it('[CMD-ALLOW-01] fails closed on anything unverifiable, even when not strict', () => {
    const lax = { ...ALLOW_NPM, strict: false };
    expect(engine.decide('$CMD x', lax).rule).toBe('allowlist:dynamic-command');
    expect(engine.decide('npm "unterminated', lax).rule).toBe('allowlist:unparseable');
    expect(engine.decide('npm x | sh', { ...lax, allow: ['npm', 'sh'] }).rule).toBe(
      'allowlist:script-from-stdin',
    );
    // A path-qualified builtin name is a real program, not the builtin.
    expect(engine.decide('./echo hi', ALLOW_NPM).rule).toBe('allowlist:not-listed:echo');
  });

  it('[CMD-ALLOW-01] the denylist still applies in allowlist mode and confirm asks first', () => {
    expect(engine.decide('npm test', { ...ALLOW_NPM, deny: ['npm'] }).rule).toBe('denylist:npm');
    const confirm = engine.decide('git push', { ...ALLOW_NPM, confirm: ['git'] });
    expect(confirm).toMatchObject({ action: 'confirm', rule: 'confirm:git' });
    expect(engine.decide('git push; sudo x', { ...DEFAULTS, confirm: ['git'] }).rule).toBe(
      'denylist:sudo',
    );
  });

  it("[CMD-ROOT-01] a root with mode 'none' runs nothing, whatever the global policy says", () => {
    const policy = effectivePolicy(DEFAULTS, root({ mode: 'none' }));
    for (const command of ['ls', 'true', '', 'echo hi']) {
      expect(engine.decide(command, policy).rule, command).toBe('mode:none');
    }
    expect(engine.decide('ls', DEFAULTS).action).toBe('allow');
  });

  it('[CMD-ROOT-01] a root allowlist replaces the global denylist; other fields are kept', () => {
    const policy = effectivePolicy(DEFAULTS, root({ mode: 'allowlist', allow: ['npm', 'git'] }));
    expect(policy.deny).toEqual(DEFAULTS.deny);
    expect(policy.strict).toBe(true);
    expect(engine.decide('npm test && git status', policy).action).toBe('allow');
    expect(engine.decide('ls', policy).rule).toBe('allowlist:not-listed:ls');
    expect(effectivePolicy(DEFAULTS, undefined)).toEqual(DEFAULTS);
    expect(effectivePolicy(DEFAULTS, root())).toEqual(DEFAULTS);
  });

  it('[CMD-DOS-01] deep nesting, long input and endless sh -c chains fail closed without throwing', () => {
    const deep = `${'$('.repeat(3000)}rm x${')'.repeat(3000)}`;
    expect(engine.decide(deep, DEFAULTS).action).toBe('deny');
    const chain = `${'eval '.repeat(60)}rm x`;
    expect(engine.decide(chain, { ...DEFAULTS, deny: ['rm'] }).action).toBe('deny');
    expect(engine.decide(chain, { ...DEFAULTS, deny: [], strict: true }).action).toBe('deny');
    const huge = `echo ${'a'.repeat(100 * 1024)}`;
    expect(engine.decide(huge, DEFAULTS).rule).toBe('strict:unparseable');
    const many = Array.from({ length: 3000 }, () => 'true').join(';');
    expect(engine.decide(many, DEFAULTS).action).toBe('deny');
  });

  it('[CMD-FUZZ-01] arbitrary strings never throw and always give a valid decision', () => {
    const policies = fc.constantFrom<CommandPolicy>(
      DEFAULTS,
      { ...DEFAULTS, strict: false },
      ALLOW_NPM,
      { ...ALLOW_NPM, strict: false },
    );
    const shellish = fc
      .array(
        fc.constantFrom(
          'sh -c ',
          "'",
          '"',
          '$(',
          ')',
          '`',
          '<<EOF\n',
          '\nEOF\n',
          "$'\\x",
          '{',
          '}',
          ';',
          '|',
          '&&',
          'eval ',
          'awk \'BEGIN{system("',
          'python3 -c ',
          ' rm ',
          '\\',
          '<(',
          '[[',
          ']]',
          '$((',
          'env -S ',
          'find . -exec ',
          ' x',
        ),
        { maxLength: 30 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), shellish),
        policies,
        (command, policy) => {
          expectValid(engine.decide(command, policy));
          const analysis = engine.analyze(command);
          expect(typeof analysis.ok).toBe('boolean');
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('[CMD-FUZZ-01] non-string input from a sloppy caller is denied, not thrown', () => {
    expectValid(engine.decide(undefined as unknown as string, DEFAULTS));
    expect(engine.decide(42 as unknown as string, DEFAULTS).action).toBe('deny');
  });
});
