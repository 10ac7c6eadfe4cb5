import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandPolicy } from '../../src/config/schema.js';
import {
  createCommandPolicyEngine,
  type CommandPolicyEngine,
} from '../../src/policy/command/index.js';
import { ALLOWED, FAMILIES } from './exec-attacks.js';

// The parser layer of the exec rules: the same attack strings the kernel stops (exec-rules*.test.ts)
// must already be refused here, before anything runs, with a message naming the rule. The kernel
// stays the guarantee; this is the readable refusal.
const MODES: Record<string, CommandPolicy> = {
  denylist: { mode: 'denylist', allow: [], deny: ['touch'], confirm: [], strict: true },
  allowlist: { mode: 'allowlist', allow: [...ALLOWED], deny: [], confirm: [], strict: true },
  confirm: { mode: 'denylist', allow: [], deny: [], confirm: ['touch'], strict: true },
};

// Ordinary development commands no mode may refuse (allowlist mode lists their programs).
const CONTROLS = [
  'git status',
  'git log --oneline -5',
  'git -c color.ui=never diff --stat',
  'npm test',
  'make',
  'make -j2 build',
  'ls | grep x | sort | head',
  "find . -name '*.ts' -exec grep -l foo {} +",
  "printf '%s\\n' a b",
  'x=$((1+2)); echo $x',
  'for ((i=0; i<3; i++)); do echo $i; done',
  'read -r line < f; echo "$line"',
  'while read -r a b; do echo "$a"; done < f',
  "sed -n '1,5p' f",
  "sed -i 's/foo/bar/g' f",
  "sed -e 's#a#b#' -e '/^$/d' f",
  "sed '/start/,/end/{s/x/y/;p}' f",
  "sed 's/a/b/w out' f",
  "awk '{print $(NF-1)}' f",
  'echo "${HOME:-/tmp}" ${#x} ${x%.ts}',
  'declare -a arr=(1 2); echo "${arr[@]}" "${!arr[@]}"',
  'export NODE_ENV=test PS4=+; local_var=1',
  'timeout -s KILL 5 npm test',
  'nice -n 5 make',
  'xargs -I{} echo {} < f',
  'env -u FOO npm test',
  'cp a b; ./run.sh',
  'echo ok > out.txt; cat out.txt',
];
const CONTROL_PROGRAMS = ['git', 'npm', 'make', 'ls', 'grep', 'sort', 'head', 'find', 'sed'];

describe('command policy: the exec attack families, read by the parser', () => {
  let engine: CommandPolicyEngine;
  beforeAll(async () => {
    engine = await createCommandPolicyEngine();
  });

  for (const [family, attacks] of Object.entries(FAMILIES)) {
    it(`${family.slice(0, 9)} every attack is refused before it runs, naming the rule`, () => {
      for (const [mode, policy] of Object.entries(MODES)) {
        for (const attack of attacks) {
          const decision = engine.decide(attack, policy);
          expect(decision.action, `${mode}: ${attack}`).not.toBe('allow');
          expect(decision.message, `${mode}: ${attack}`).toContain(`'${decision.rule}'`);
        }
      }
    });
  }

  it('[EXEC-07] the ordinary development commands stay allowed in every mode', () => {
    for (const [mode, base] of Object.entries(MODES)) {
      const policy =
        base.mode === 'allowlist'
          ? { ...base, allow: [...base.allow, ...CONTROL_PROGRAMS, 'run.sh'] }
          : base;
      for (const command of CONTROLS) {
        const decision = engine.decide(command, policy);
        expect(decision.rule, `${mode}: ${command}`).toBe(`allow:${policy.mode}`);
      }
    }
  });
});
