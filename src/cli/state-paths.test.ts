import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStatePaths } from './state-paths.js';

const INSTALLED = '/usr/lib/node_modules/bastion-mcp';
const CLONE = '/srv/bastion';

describe('resolveStatePaths', () => {
  it('an installed package follows XDG and never points into the install dir', () => {
    const env = {
      XDG_CONFIG_HOME: '/x/config',
      XDG_STATE_HOME: '/x/state',
      XDG_DATA_HOME: '/x/data',
    };
    const paths = resolveStatePaths({ env, installDir: INSTALLED });
    expect(paths).toEqual({
      layout: 'xdg',
      origin: 'XDG',
      configFile: '/x/config/bastion/mcp_settings.json',
      baseDir: '/x/config/bastion',
      stateDir: '/x/state/bastion',
      workspace: '/x/data/bastion/workspace',
    });
  });

  it('falls back to ~/.config and ~/.local/state, ignoring relative XDG values as the spec says', () => {
    const paths = resolveStatePaths({ env: { XDG_STATE_HOME: 'rel' }, installDir: INSTALLED });
    expect(paths.configFile).toBe(path.join(os.homedir(), '.config/bastion/mcp_settings.json'));
    expect(paths.stateDir).toBe(path.join(os.homedir(), '.local/state/bastion'));
  });

  it('a source checkout keeps config/ and logs/ in the checkout', () => {
    const paths = resolveStatePaths({ env: {}, installDir: CLONE });
    expect(paths).toMatchObject({ layout: 'home', origin: 'source checkout', stateDir: CLONE });
    expect(paths.configFile).toBe(path.join(CLONE, 'config/mcp_settings.json'));
  });

  it('--home wins over $BASTION_HOME, which wins over XDG', () => {
    const env = { BASTION_HOME: '/env-home', XDG_CONFIG_HOME: '/x' };
    expect(resolveStatePaths({ env, installDir: INSTALLED })).toMatchObject({
      origin: '$BASTION_HOME',
      stateDir: '/env-home',
    });
    expect(resolveStatePaths({ env, installDir: INSTALLED, homeFlag: '/flag' })).toMatchObject({
      origin: '--home',
      configFile: '/flag/config/mcp_settings.json',
    });
  });
});
