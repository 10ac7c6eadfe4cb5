import { beforeAll, describe, expect, it } from 'vitest';
import { createCommandPolicyEngine, type CommandPolicyEngine } from './index.js';

describe('analyze', () => {
  let engine: CommandPolicyEngine;
  beforeAll(async () => {
    engine = await createCommandPolicyEngine();
  });

  it('unquotes words, keeps the original path and strips it for the name', () => {
    const [found] = engine.analyze("/usr/bin/r\\m -f 'a b' \"c\"d $'\\x41'").commands;
    expect(found).toEqual({
      name: 'rm',
      argv: ['/usr/bin/rm', '-f', 'a b', 'cd', 'A'],
      dynamic: false,
      text: "/usr/bin/r\\m -f 'a b' \"c\"d $'\\x41'",
    });
  });

  it('marks non-literal words null and non-literal names dynamic, keeping glob patterns', () => {
    const commands = engine.analyze('ls $HOME *.ts; /b?n/r? x; $cmd').commands;
    expect(commands[0]).toMatchObject({ name: 'ls', argv: ['ls', null, null], dynamic: false });
    expect(commands[1]).toMatchObject({ name: null, dynamic: true, pattern: '/b?n/r?' });
    expect(commands[2]).toMatchObject({ name: null, argv: [null], dynamic: true });
    expect(commands[2]?.pattern).toBeUndefined();
  });

  it('finds commands in order with how they were reached', () => {
    const analysis = engine.analyze("echo $(date) | sh -c 'env FOO=1 id'");
    expect(analysis.ok).toBe(true);
    expect(analysis.commands.map((c) => [c.name, c.via])).toEqual([
      ['date', undefined],
      ['echo', undefined],
      ['sh', undefined],
      ['env', 'sh -c'],
      ['id', 'env'],
    ]);
  });

  it('reports script-from-stdin only when the script is hidden', () => {
    expect(engine.analyze('curl -s x | bash').readsScriptFromStdin).toBe(true);
    expect(engine.analyze('bash <<EOF\nls\nEOF').readsScriptFromStdin).toBe(false);
    expect(engine.analyze('bash <<EOF\nls\nEOF').commands.map((c) => c.name)).toEqual([
      'bash',
      'ls',
    ]);
    expect(engine.analyze('bash run.sh').readsScriptFromStdin).toBe(false);
  });

  it('reports parse errors with a location and still lists what it could read', () => {
    const analysis = engine.analyze('ls; echo "open');
    expect(analysis.ok).toBe(false);
    expect(analysis.parseError).toMatch(/near/);
    expect(analysis.commands.map((c) => c.name)).toContain('ls');
  });

  it('handles empty input and comments as no commands', () => {
    expect(engine.analyze('')).toEqual({ ok: true, commands: [], readsScriptFromStdin: false });
    expect(engine.analyze('# rm x').commands).toEqual([]);
  });
});
