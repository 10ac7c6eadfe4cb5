import type { CommandPolicy, Config, Root } from '../../config/index.js';
import { DEFAULT_DENIED_COMMANDS } from '../../config/schema.js';
import {
  SANDBOX_HOME,
  buildSandboxEnv,
  type ProgramRules,
  type SandboxLimits,
  type SandboxSpec,
} from '../../sandbox/index.js';
import type { CommandPlace } from './command-gate.js';

// Every command runs as `bash -c TEXT` inside the sandbox: the same parser the policy analysed.
export function shellArgv(command: string): string[] {
  return ['/bin/bash', '-c', command];
}

// The sandbox boundary for one command: all roots with their modes, the deny patterns, the cwd,
// network as configured, and an allowlisted environment (never the server's own).
export function buildSandboxSpec(
  config: Config,
  place: CommandPlace,
  roots: readonly Root[] = config.roots,
  confirmed: readonly string[] = [],
): SandboxSpec {
  return {
    // The guard's effective roots: the configured ones, narrowed if the client's roots narrow them.
    roots,
    deny: config.deny,
    cwd: place.cwd,
    network: config.shell.sandbox.network,
    // Security: only passEnv names cross into the sandbox, so server secrets never do.
    env: buildSandboxEnv(config.shell.sandbox.passEnv, process.env, SANDBOX_HOME),
    programs: programRules(place.policy, confirmed),
  };
}

// The policy as exec rules for the kernel: whatever the spelling of a command, only what the
// rules permit can be executed. Confirm entries count as denied except those the person
// confirmed for this one call.
// Builtins the parser always allows that are programs too (make and find run /usr/bin/echo).
const BUILTIN_PROGRAMS = ['echo', 'printf', 'test', '[', 'true', 'false', 'pwd'] as const;

// The default denylist names privilege, disk and system tools. Inside the sandbox they are inert
// whatever their spelling (no capabilities, no_new_privs, no devices, read-only system dirs and
// /proc/sys, no nested user namespaces), so the parser's readable refusal is all they need; a
// mask each would cost a mount per command (about 0.2 ms). Entries a person adds are masked.
const INERT_DEFAULTS = new Set<string>(DEFAULT_DENIED_COMMANDS);

export function programRules(policy: CommandPolicy, confirmed: readonly string[]): ProgramRules {
  const open = new Set(confirmed);
  const unconfirmed = policy.confirm.filter((entry) => !open.has(entry));
  const deny = [...policy.deny.filter((entry) => !INERT_DEFAULTS.has(entry)), ...unconfirmed];
  return policy.mode === 'allowlist'
    ? { kind: 'only', allow: [...policy.allow, ...confirmed, ...BUILTIN_PROGRAMS], deny }
    : { kind: 'except', deny };
}

// The rlimits every sandboxed command and session runs under.
export function buildSandboxLimits(config: Config): SandboxLimits {
  const { maxProcesses, maxMemoryMb, maxFileSizeMb, maxCpuSeconds } = config.shell.sandbox;
  return { maxProcesses, maxMemoryMb, maxFileSizeMb, maxCpuSeconds };
}
