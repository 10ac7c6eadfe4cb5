import { it } from 'vitest';
import { createCommandPolicyEngine } from '../../src/policy/command/index.ts';
import { CommandPolicySchema } from '../../src/config/schema.ts';
it('probe', async () => {
  const e = await createCommandPolicyEngine();
  const p = CommandPolicySchema.parse({ mode: 'denylist', deny: ['touch'] });
  const cmds = JSON.parse(process.env.PROBE ?? '[]') as string[];
  for (const c of cmds) { const d = e.decide(c, p); const a = e.analyze(c); process.stderr.write(`${JSON.stringify(c)} => ${d.action} ${d.rule} | ${d.message} | ok=${a.ok} ${a.parseError ?? ''} | ${JSON.stringify(d.commands.map(x=>x.name))}\n`); }
});
