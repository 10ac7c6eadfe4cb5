import { loadConfig, type Config, type LoadConfigOptions } from '../config/index.js';
import { InvalidConfigError } from '../errors/index.js';
import { resolveStatePaths, type StatePaths } from './state-paths.js';

// Options every command that needs a config accepts.
export interface ConfigFlags {
  home?: string;
  config?: string;
  root?: string[];
  readOnlyRoot?: string[];
}

// The loadConfig options the flags and the state layout stand for (serve, doctor and init agree).
export function configOptionsFor(flags: ConfigFlags, paths: StatePaths): LoadConfigOptions {
  return {
    home: paths.baseDir,
    defaultConfigPath: paths.configFile,
    stateDir: paths.stateDir,
    ...(flags.config ? { configPath: flags.config } : {}),
    rootFlags: flags.root ?? [],
    readOnlyRootFlags: flags.readOnlyRoot ?? [],
  };
}

// Load the config for a CLI command; on any problem print every one and exit non-zero, before
// anything starts (never fall back to defaults silently).
export function loadCliConfig(flags: ConfigFlags): { config: Config; paths: StatePaths } {
  const paths = resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
  try {
    return { config: loadConfig(configOptionsFor(flags, paths)), paths };
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      console.error(`bastion: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
