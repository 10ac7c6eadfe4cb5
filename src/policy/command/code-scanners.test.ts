import { describe, expect, it } from 'vitest';
import { scanAwkProgram } from './awk-program.js';
import { scanInlineCode, unwrapInterpreter } from './inline-code.js';

describe('scanAwkProgram', () => {
  it('finds system(), output pipes and getline pipes', () => {
    expect(scanAwkProgram('BEGIN { system("rm x") }')).toEqual([
      { kind: 'script', source: 'rm x', via: 'awk system()' },
    ]);
    expect(scanAwkProgram('{ print $1 | "sort -u" }')).toEqual([
      { kind: 'script', source: 'sort -u', via: 'awk pipe' },
    ]);
    expect(scanAwkProgram('BEGIN { "date" | getline d }')).toEqual([
      { kind: 'script', source: 'date', via: 'awk getline' },
    ]);
  });

  it('reports computed commands as dynamic but still checks the literal prefix', () => {
    const found = scanAwkProgram('{ system("rm " $1) }');
    expect(found).toContainEqual({ kind: 'script', source: 'rm ', via: 'awk system()' });
    expect(found.some((f) => f.kind === 'dynamic')).toBe(true);
  });

  it('ignores `|` inside regexes, strings and `||`', () => {
    expect(scanAwkProgram('/a|b/ { print "x|y" } $1 == 1 || $2 == 2 { n++ }')).toEqual([]);
  });
});

describe('inline code', () => {
  it('finds literal spawns in python, node, perl and ruby', () => {
    expect(scanInlineCode('import os; os.system("rm x")', 'python')).toContainEqual({
      kind: 'script',
      source: 'rm x',
      via: 'inline-code',
    });
    expect(scanInlineCode('subprocess.run(["rm", "-f", "x"])', 'python')).toContainEqual({
      kind: 'command',
      argv: ['rm', '-f', 'x'],
      via: 'inline-code',
    });
    expect(scanInlineCode('require("child_process").spawnSync("rm", ["x"])', 'js')).toContainEqual({
      kind: 'script',
      source: 'rm',
      via: 'inline-code',
    });
    expect(scanInlineCode('print `rm x`', 'perl')).toContainEqual({
      kind: 'script',
      source: 'rm x',
      via: 'inline-code',
    });
  });

  it('reports computed spawns as dynamic with the words of the code', () => {
    const found = scanInlineCode('import os; c = "r" + "m"; os.system(c)', 'python');
    expect(found).toContainEqual(expect.objectContaining({ kind: 'dynamic', via: 'inline-code' }));
    expect(
      scanInlineCode('const c = `rm ${x}`; require("child_process").execSync(c)', 'js').some(
        (f) => f.kind === 'dynamic',
      ),
    ).toBe(true);
  });

  it('leaves code that spawns nothing alone, and knows where the code is', () => {
    expect(scanInlineCode('print("rm -rf / is bad")', 'python')).toEqual([]);
    expect(
      unwrapInterpreter(['python3', '-Ic', 'import os; os.system("id")'], 'python3'),
    ).toContainEqual({ kind: 'script', source: 'id', via: 'inline-code' });
    expect(
      unwrapInterpreter(['node', '--eval=require("child_process").execSync("id")'], 'node'),
    ).toContainEqual({ kind: 'script', source: 'id', via: 'inline-code' });
    expect(unwrapInterpreter(['python3', 'script.py'], 'python3')).toEqual([]);
    expect(unwrapInterpreter(['python3'], 'python3')).toEqual([
      { kind: 'stdin-script', via: 'python3', language: 'python' },
    ]);
    // A REPL reads stdin as code even after a script; a script's own `-i` is its business.
    expect(unwrapInterpreter(['python3', '-i', 'x.py'], 'python3')).toEqual([
      { kind: 'stdin-script', via: 'python3', language: 'python', repl: true },
    ]);
    expect(unwrapInterpreter(['python3', 'x.py', '-i'], 'python3')).toEqual([]);
    expect(unwrapInterpreter(['ls'], 'ls')).toBeUndefined();
  });
});
