import { describe, expect, it } from 'vitest';
import { buildSandboxEnv, SANDBOX_DEFAULT_PATH } from './env.js';

describe('buildSandboxEnv', () => {
  const host = {
    PATH: '/root/.secret-bin:/usr/bin',
    HOME: '/root',
    LANG: 'en_US.UTF-8',
    TERM: 'xterm-256color',
    USER: 'alice',
    AWS_SECRET_ACCESS_KEY: 'canary-aws',
    SSH_AUTH_SOCK: '/run/user/0/ssh-agent',
    LD_PRELOAD: '/evil.so',
    GIT_AUTHOR_NAME: 'Alice',
  };

  it('keeps only the fixed allowlist, with a fixed PATH and the sandbox HOME', () => {
    expect(buildSandboxEnv([], host, '/home/sandbox')).toEqual({
      PATH: SANDBOX_DEFAULT_PATH,
      LANG: 'en_US.UTF-8',
      TERM: 'xterm-256color',
      USER: 'alice',
      HOME: '/home/sandbox',
    });
  });

  it('adds passEnv names that exist, never overrides HOME, ignores malformed names', () => {
    const env = buildSandboxEnv(
      ['GIT_AUTHOR_NAME', 'MISSING', 'HOME', 'BAD-NAME'],
      host,
      '/home/sandbox',
    );
    expect(env.GIT_AUTHOR_NAME).toBe('Alice');
    expect(env.HOME).toBe('/home/sandbox');
    expect(Object.keys(env)).not.toContain('MISSING');
    expect(JSON.stringify(env)).not.toContain('canary-aws');
    expect(JSON.stringify(env)).not.toContain('ssh-agent');
  });

  it('falls back to safe defaults for odd values', () => {
    const env = buildSandboxEnv([], { LANG: 'x;rm -rf /', TERM: '', USER: '$(id)' }, '/h');
    expect(env).toMatchObject({ LANG: 'C.UTF-8', TERM: 'dumb', USER: 'sandbox' });
  });
});
