import { describe, expect, it } from 'vitest';
import { buildBwrapArgs, type BwrapInput } from './bwrap-args.js';

const input = (network: boolean): BwrapInput => ({
  spec: {
    roots: [
      { path: '/srv/project/vendor', mode: 'read-only' },
      { path: '/srv/project', mode: 'read-write' },
    ],
    deny: [],
    cwd: '/srv/project',
    network,
    env: { PATH: '/usr/bin', HOME: '/home/sandbox' },
  },
  limits: { maxProcesses: 10, maxMemoryMb: 100, maxFileSizeMb: 5, maxCpuSeconds: 7 },
  home: '/home/sandbox',
  systemArgs: ['--ro-bind', '/usr', '/usr'],
  masks: { files: ['/srv/project/.env'], dirs: ['/srv/project/.ssh'] },
  prlimitPath: '/usr/bin/prlimit',
  rlimitAs: true,
  seccompFd: 9,
  deviceDir: null,
});

describe('buildBwrapArgs', () => {
  it('isolates every namespace and shares the network only when asked', () => {
    const off = buildBwrapArgs(input(false), ['true']).options;
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
    ]) {
      expect(off).toContain(flag);
    }
    expect(off.join(' ')).toContain('--seccomp 9');
    expect(off).not.toContain('--share-net');
    expect(buildBwrapArgs(input(true), ['true']).options).toContain('--share-net');
  });

  it('installs no seccomp filter only where the architecture has none', () => {
    const none = buildBwrapArgs({ ...input(false), seccompFd: null }, ['true']).options;
    expect(none).not.toContain('--seccomp');
  });

  it('binds nested roots parent first, then masks, then makes /proc read-only', () => {
    const o = buildBwrapArgs(input(false), ['true']).options.join(' ');
    expect(o.indexOf('--bind /srv/project /srv/project')).toBeLessThan(
      o.indexOf('--ro-bind /srv/project/vendor /srv/project/vendor'),
    );
    expect(o.indexOf('--ro-bind /srv/project/vendor')).toBeLessThan(
      o.indexOf('--ro-bind /dev/null /srv/project/.env'),
    );
    expect(o).toContain('--tmpfs /srv/project/.ssh --remount-ro /srv/project/.ssh');
    expect(o.indexOf('--proc /proc')).toBeLessThan(o.indexOf('--remount-ro /proc'));
  });

  it('wraps the command in prlimit with every limit', () => {
    const { command } = buildBwrapArgs(input(false), ['/bin/bash', '-c', 'echo hi']);
    expect(command).toEqual([
      '/usr/bin/prlimit',
      '--nproc=10',
      `--fsize=${5 * 1024 * 1024}`,
      '--cpu=7:8',
      '--core=0',
      `--as=${100 * 1024 * 1024}`,
      '--',
      '/bin/bash',
      '-c',
      'echo hi',
    ]);
  });
});
