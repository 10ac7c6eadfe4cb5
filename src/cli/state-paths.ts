import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG_RELATIVE_PATH } from '../config/index.js';
import { isInstalledPackage, packageRoot } from './home.js';

// Where Bastion reads its config and keeps its state, and why there.
export interface StatePaths {
  // 'home': one directory holds config/, logs/ and workspace/ (--home, $BASTION_HOME, a clone).
  // 'xdg': an installed package follows the XDG Base Directory conventions.
  layout: 'home' | 'xdg';
  // What chose the layout, for init and doctor: '--home', '$BASTION_HOME', 'source checkout', 'XDG'.
  origin: string;
  // The settings file used when --config is not given (read only if it exists).
  configFile: string;
  // Relative paths in the settings file (roots) resolve against this.
  baseDir: string;
  // Logs, audit log and any other state Bastion writes; relative audit.dir resolves against it.
  stateDir: string;
  // The default read-write root `bastion init` creates.
  workspace: string;
}

export interface ResolvePathsOptions {
  homeFlag?: string;
  env?: NodeJS.ProcessEnv;
  installDir?: string;
}

// XDG says a relative value must be ignored (https://specifications.freedesktop.org/basedir-spec/).
function xdgDir(value: string | undefined, fallback: string[]): string {
  if (value && path.isAbsolute(value)) return value;
  return path.join(os.homedir(), ...fallback);
}

// --home, else $BASTION_HOME, else the checkout Bastion runs from (as before packaging), else, for
// an installed package, $XDG_CONFIG_HOME/bastion and $XDG_STATE_HOME/bastion. Never the install dir.
export function resolveStatePaths(options: ResolvePathsOptions = {}): StatePaths {
  const env = options.env ?? process.env;
  const installDir = options.installDir ?? packageRoot();
  const explicit = options.homeFlag
    ? { dir: options.homeFlag, origin: '--home' }
    : env.BASTION_HOME
      ? { dir: env.BASTION_HOME, origin: '$BASTION_HOME' }
      : isInstalledPackage(installDir)
        ? undefined
        : { dir: installDir, origin: 'source checkout' };
  if (explicit) {
    const home = path.resolve(explicit.dir);
    return {
      layout: 'home',
      origin: explicit.origin,
      configFile: path.join(home, DEFAULT_CONFIG_RELATIVE_PATH),
      baseDir: home,
      stateDir: home,
      workspace: path.join(home, 'workspace'),
    };
  }
  const configDir = path.join(xdgDir(env.XDG_CONFIG_HOME, ['.config']), 'bastion');
  return {
    layout: 'xdg',
    origin: 'XDG',
    configFile: path.join(configDir, 'mcp_settings.json'),
    baseDir: configDir,
    stateDir: path.join(xdgDir(env.XDG_STATE_HOME, ['.local', 'state']), 'bastion'),
    workspace: path.join(xdgDir(env.XDG_DATA_HOME, ['.local', 'share']), 'bastion', 'workspace'),
  };
}

// Create `dir` as a private directory (0700). Parents Bastion does not own (~/.config,
// ~/.local/state) are created with the usual mode, as any XDG program would.
export function ensurePrivateDir(dir: string): void {
  mkdirSync(path.dirname(dir), { recursive: true });
  // Security: audit log, tokens and history are readable only by the user who runs Bastion.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

// Where `bastion build-launcher` puts the sandbox launcher: the state dir, since the install dir
// is read-only to Bastion.
export function stateLauncherPath(paths: StatePaths): string {
  return path.join(paths.stateDir, 'bin', 'bastion-launcher');
}

// Where `bastion build-launcher` puts the exec guard (native/exec-guard.c) beside it.
export function stateExecGuardPath(paths: StatePaths): string {
  return path.join(paths.stateDir, 'bin', 'bastion-exec-guard');
}
