import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors/index.js';
import { loadConfig } from './load-config.js';

let home: string;

beforeEach(() => {
  home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-config-')));
  mkdirSync(path.join(home, 'config'));
  mkdirSync(path.join(home, 'workspace'));
});

function writeSettings(value: unknown): string {
  const file = path.join(home, 'config', 'mcp_settings.json');
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected InvalidConfigError');
}

describe('loadConfig', () => {
  it('works from --root flags alone, with the most restrictive defaults', () => {
    const config = loadConfig({ home, rootFlags: [path.join(home, 'workspace')], env: {} });
    expect(config.roots).toEqual([{ path: path.join(home, 'workspace'), mode: 'read-write' }]);
    expect(config.deny).toContain('**/.ssh/**');
    expect(config.shell.sandbox.enabled).toBe(true);
    expect(config.shell.sandbox.network).toBe(false);
    expect(config.shell.policy.mode).toBe('denylist');
    expect(config.audit.dir).toBe(path.join(home, 'logs'));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the default file, resolves relative roots against home and canonicalises links', () => {
    symlinkSync(path.join(home, 'workspace'), path.join(home, 'ws-link'));
    writeSettings({ bastion: { roots: [{ path: './ws-link', mode: 'read-only' }] } });
    const config = loadConfig({ home, env: {} });
    expect(config.roots[0]).toEqual({ path: path.join(home, 'workspace'), mode: 'read-only' });
  });

  it('expands ${ENV} and names the key path of a missing variable', () => {
    writeSettings({ bastion: { roots: [{ path: '${WS_DIR}' }, { path: '${NOPE}' }] } });
    const problems = problemsOf(() =>
      loadConfig({ home, env: { WS_DIR: path.join(home, 'workspace') } }),
    );
    expect(problems).toEqual(['bastion.roots[1].path: environment variable ${NOPE} is not set']);
  });

  it('lists every problem at once: unknown keys, wrong types, missing roots', () => {
    writeSettings({
      bastion: { roots: [{ path: './missing' }], limits: { maxReadBytes: 'big' }, colour: 'red' },
    });
    const problems = problemsOf(() => loadConfig({ home, env: {} }));
    expect(problems.some((p) => p.startsWith('bastion.limits.maxReadBytes'))).toBe(true);
    expect(problems.some((p) => p.includes('colour'))).toBe(true);
  });

  it('names the file in the error and refuses invalid JSON', () => {
    const file = writeSettings('{ not json');
    expect(() => loadConfig({ home, env: {} })).toThrow(file);
  });

  it('refuses "/" as a root, a file as a root, and no roots at all', () => {
    writeFileSync(path.join(home, 'a-file'), 'x');
    const problems = problemsOf(() =>
      loadConfig({ home, rootFlags: ['/', path.join(home, 'a-file')], env: {} }),
    );
    expect(problems).toHaveLength(2);
    expect(problemsOf(() => loadConfig({ home, env: {} }))[0]).toMatch(/no roots/);
  });
});
