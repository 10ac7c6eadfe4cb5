import { describe, expect, it } from 'vitest';
import type { Unwrapped } from './unwrapped.js';
import { unwrapArgv } from './wrappers.js';

const unwrap = (...argv: (string | null)[]): Unwrapped[] => unwrapArgv(argv[0] ?? '', argv);

describe('unwrapArgv', () => {
  it('finds the wrapped argv after each wrapper option grammar', () => {
    expect(unwrap('env', '-i', '-u', 'X', 'A=1', 'rm', 'x')).toEqual([
      { kind: 'command', argv: ['rm', 'x'], via: 'env' },
    ]);
    expect(unwrap('timeout', '--signal=KILL', '5s', 'rm')).toEqual([
      { kind: 'command', argv: ['rm'], via: 'timeout' },
    ]);
    expect(unwrap('nice', '-10', 'rm')).toEqual([{ kind: 'command', argv: ['rm'], via: 'nice' }]);
    expect(unwrap('xargs', '-n', '1', '-P4', 'rm', '-f')).toEqual([
      { kind: 'command', argv: ['rm', '-f'], via: 'xargs' },
    ]);
    expect(unwrap('sudo', '-u', 'root', '-E', 'rm')).toEqual([
      { kind: 'command', argv: ['rm'], via: 'sudo' },
    ]);
    expect(unwrap('exec', '-a', 'name', 'rm')).toEqual([
      { kind: 'command', argv: ['rm'], via: 'exec' },
    ]);
  });

  it('reads -c strings for shells in any option cluster', () => {
    expect(unwrap('bash', '-ec', 'rm x', 'name')).toEqual([
      { kind: 'script', source: 'rm x', via: 'bash -c' },
    ]);
    expect(unwrap('sh', '-o', 'errexit', '-c', 'rm x')).toEqual([
      { kind: 'script', source: 'rm x', via: 'sh -c' },
    ]);
    expect(unwrap('sh', '-c', null)).toEqual([{ kind: 'script', source: null, via: 'sh -c' }]);
  });

  it('tells a script file from a script read on stdin', () => {
    expect(unwrap('bash', 'build.sh')).toEqual([]);
    expect(unwrap('bash')).toEqual([{ kind: 'stdin-script', via: 'bash' }]);
    expect(unwrap('bash', '-s', 'arg')).toEqual([{ kind: 'stdin-script', via: 'bash' }]);
    expect(unwrap('bash', null)).toEqual([{ kind: 'stdin-script', via: 'bash' }]);
    expect(unwrap('.', '/dev/stdin')).toEqual([{ kind: 'stdin-script', via: '.' }]);
    expect(unwrap('source', 'env.sh')).toEqual([]);
  });

  it('joins eval and watch arguments, and gives up on non-literal pieces', () => {
    expect(unwrap('eval', 'r""m', 'x')).toEqual([
      { kind: 'script', source: 'r""m x', via: 'eval' },
    ]);
    expect(unwrap('eval', 'rm', null)).toEqual([{ kind: 'script', source: null, via: 'eval' }]);
    expect(unwrap('watch', '-n', '2', 'ls', '-l')).toEqual([
      { kind: 'script', source: 'ls -l', via: 'watch' },
    ]);
  });

  it('marks an unknown wrapper option as dynamic, since it may take a value', () => {
    expect(unwrap('env', '--weird', 'X', 'rm')).toContainEqual({
      kind: 'dynamic',
      via: 'env (unknown option)',
    });
  });

  it('handles lookups and commands that run nothing', () => {
    expect(unwrap('command', '-v', 'rm')).toEqual([]);
    expect(unwrap('busybox', '--list')).toEqual([]);
    expect(unwrap('sudo', '-e', 'file')).toEqual([]);
    expect(unwrap('ls', '-la')).toEqual([]);
  });

  it('finds every find -exec command and treats {} as a file name', () => {
    expect(unwrap('find', '.', '-exec', 'rm', '{}', ';', '-execdir', '{}', '+')).toEqual([
      { kind: 'command', argv: ['rm', '{}'], via: 'find -exec' },
      { kind: 'command', argv: [null], via: 'find -execdir' },
    ]);
  });
});
