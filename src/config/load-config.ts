import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { InvalidConfigError } from '../errors/index.js';
import { expandEnv } from './expand-env.js';
import {
  SettingsFileSchema,
  type CommandPolicy,
  type HistoryConfig,
  type HubConfig,
  type Limits,
  type ShellConfig,
} from './schema.js';

// One allowed root, canonicalised once at startup (real path, no trailing slash).
export interface Root {
  readonly path: string;
  readonly mode: 'read-write' | 'read-only';
  readonly commands?: Readonly<Partial<CommandPolicy>>;
  // false: nothing in this root may be executed inside the sandbox (see RootSchema.exec).
  readonly exec?: boolean;
}

// The frozen configuration every factory takes; nothing reads process.env or the file after this.
export interface Config {
  readonly source: string;
  readonly home: string;
  readonly roots: readonly Root[];
  readonly deny: readonly string[];
  readonly limits: Readonly<Limits>;
  readonly audit: {
    readonly dir: string;
    readonly redactKeys: readonly string[];
    readonly rotateBytes: number;
    readonly rotateDays: number;
  };
  readonly shell: Readonly<ShellConfig>;
  readonly hub: Readonly<HubConfig>;
  // history.dir is absolute here (resolved against the state dir).
  readonly history: Readonly<HistoryConfig>;
}

export interface LoadConfigOptions {
  // Bastion's home: relative paths in the file resolve against it; holds config/ and logs/.
  home: string;
  // Explicit --config; when absent, defaultConfigPath is used if it exists.
  configPath?: string;
  // The settings file read when it exists (default <home>/config/mcp_settings.json).
  defaultConfigPath?: string;
  // Where a relative audit.dir and history.dir resolve (default: home).
  stateDir?: string;
  // --root / --read-only-root flags; they replace the file's roots when given.
  rootFlags?: readonly string[];
  readOnlyRootFlags?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_CONFIG_RELATIVE_PATH = path.join('config', 'mcp_settings.json');

function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const keyPath =
      issue.path.length > 0
        ? issue.path
            .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`))
            .join('')
        : '(root)';
    return `${keyPath}: ${issue.message}`;
  });
}

function readSettingsJson(file: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    problems.push(`not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
}

function canonicalRoot(
  rawPath: string,
  home: string,
  keyPath: string,
  problems: string[],
): string | undefined {
  if (rawPath.includes('\0')) {
    problems.push(`${keyPath}: expected a path without NUL bytes`);
    return undefined;
  }
  const expanded =
    rawPath === '~' || rawPath.startsWith('~/')
      ? path.join(process.env.HOME ?? '/', rawPath.slice(1))
      : rawPath;
  const absolute = path.resolve(home, expanded);
  try {
    const real = realpathSync(absolute);
    if (!statSync(real).isDirectory()) {
      problems.push(`${keyPath}: expected a directory, got a file (${absolute})`);
      return undefined;
    }
    return real;
  } catch {
    problems.push(`${keyPath}: directory does not exist (${absolute})`);
    return undefined;
  }
}

// Load, expand and validate the settings; throw InvalidConfigError listing every problem.
export function loadConfig(options: LoadConfigOptions): Config {
  const env = options.env ?? process.env;
  const home = path.resolve(options.home);
  const defaultPath = options.defaultConfigPath ?? path.join(home, DEFAULT_CONFIG_RELATIVE_PATH);
  const configPath = options.configPath
    ? path.resolve(options.configPath)
    : existsSync(defaultPath)
      ? defaultPath
      : undefined;
  const source = configPath ?? 'command-line flags';
  const problems: string[] = [];

  let raw: unknown = {};
  if (configPath) {
    raw = readSettingsJson(configPath, problems);
    if (problems.length > 0) throw new InvalidConfigError(problems, source);
    raw = expandEnv(raw, env, problems);
  }
  const parsed = SettingsFileSchema.safeParse(raw);
  if (!parsed.success) problems.push(...formatZodIssues(parsed.error));
  if (!parsed.success || problems.length > 0) throw new InvalidConfigError(problems, source);

  const settings = parsed.data.bastion;
  const fromFlags = [
    ...(options.rootFlags ?? []).map((p) => ({ path: p, mode: 'read-write' as const })),
    ...(options.readOnlyRootFlags ?? []).map((p) => ({ path: p, mode: 'read-only' as const })),
  ];
  const rawRoots = fromFlags.length > 0 ? fromFlags : settings.roots;
  const roots: Root[] = [];
  rawRoots.forEach((root, index) => {
    const keyPath = fromFlags.length > 0 ? `--root ${root.path}` : `bastion.roots[${index}].path`;
    const real = canonicalRoot(root.path, home, keyPath, problems);
    if (real === undefined) return;
    if (real === path.parse(real).root) {
      problems.push(`${keyPath}: the filesystem root "/" cannot be an allowed root`);
      return;
    }
    const commands = 'commands' in root ? root.commands : undefined;
    const exec = 'exec' in root && typeof root.exec === 'boolean' ? root.exec : undefined;
    roots.push(
      Object.freeze({
        path: real,
        mode: root.mode,
        ...(commands ? { commands } : {}),
        ...(exec !== undefined ? { exec } : {}),
      }),
    );
  });
  if (rawRoots.length === 0) {
    problems.push('no roots: add bastion.roots to the config file or pass --root DIR');
  }
  if (settings.shell.defaultTimeoutMs > settings.shell.maxTimeoutMs) {
    problems.push('bastion.shell.defaultTimeoutMs: expected at most bastion.shell.maxTimeoutMs');
  }
  if (problems.length > 0) throw new InvalidConfigError(problems, source);

  return Object.freeze({
    source,
    home,
    roots: Object.freeze(roots),
    deny: Object.freeze([...settings.deny]),
    limits: Object.freeze({ ...settings.limits }),
    audit: Object.freeze({
      dir: path.resolve(options.stateDir ?? home, settings.audit.dir),
      redactKeys: Object.freeze([...settings.audit.redactKeys]),
      rotateBytes: settings.audit.rotateBytes,
      rotateDays: settings.audit.rotateDays,
    }),
    shell: Object.freeze({ ...settings.shell }),
    hub: Object.freeze({ ...settings.hub }),
    history: Object.freeze({
      ...settings.history,
      dir: path.resolve(options.stateDir ?? home, settings.history.dir),
    }),
  });
}
