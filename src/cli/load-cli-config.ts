import { loadConfig, type Config } from '../config/index.js';
import { InvalidConfigError } from '../errors/index.js';
import { resolveHome } from './home.js';

// Options every command that needs a config accepts.
export interface ConfigFlags {
  home?: string;
  config?: string;
  root?: string[];
  readOnlyRoot?: string[];
}

// Load the config for a CLI command; on any problem print every one and exit non-zero, before
// anything starts (never fall back to defaults silently).
export function loadCliConfig(flags: ConfigFlags): Config {
  try {
    return loadConfig({
      home: resolveHome(flags.home),
      ...(flags.config ? { configPath: flags.config } : {}),
      rootFlags: flags.root ?? [],
      readOnlyRootFlags: flags.readOnlyRoot ?? [],
    });
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
