import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AUDIT_FILE_NAME, formatProblem, verifyAuditDir } from '../../audit/index.js';
import { loadConfig, type Config } from '../../config/index.js';
import { InvalidConfigError } from '../../errors/index.js';
import {
  detectSandbox,
  findLauncher,
  LAUNCHER_BINARY,
  EXEC_RULES_WEAK_WARNING,
  preparePrivateDevices,
  probeExecGuard,
  startLauncher,
} from '../../sandbox/index.js';
import { isInstalledPackage, packageRoot } from '../home.js';
import { chooseExecGuard, chooseLauncher } from '../launcher-path.js';
import type { StatePaths } from '../state-paths.js';
import { launcherMissingDetail, RIPGREP_INSTALL } from '../system-tools.js';

const execFileAsync = promisify(execFile);

// One line of the doctor's report.
export interface CheckResult {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

export function checkNode(): CheckResult {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { name: 'node', status: 'ok', detail: `Node ${process.versions.node}` }
    : { name: 'node', status: 'fail', detail: `expected Node >= 20, got ${process.versions.node}` };
}

export function checkConfig(options: Parameters<typeof loadConfig>[0]): {
  result: CheckResult;
  config?: Config;
} {
  try {
    const config = loadConfig(options);
    const roots = config.roots.map((r) => `${r.path} (${r.mode})`).join(', ');
    return {
      config,
      result: { name: 'config', status: 'ok', detail: `${config.source}; roots: ${roots}` },
    };
  } catch (err) {
    if (err instanceof InvalidConfigError)
      return { result: { name: 'config', status: 'fail', detail: err.message } };
    throw err;
  }
}

// The native launcher (native/launcher.c): without it shell commands still run, with the same
// guarantees, but each one starts from Node (tens of ms slower).
export async function checkLauncher(paths: StatePaths): Promise<CheckResult> {
  const binary = findLauncher(chooseLauncher(paths));
  if (binary === null) {
    return {
      name: 'launcher',
      status: 'warn',
      detail: launcherMissingDetail(LAUNCHER_BINARY, isInstalledPackage()),
    };
  }
  try {
    const launcher = await startLauncher(binary);
    launcher.close();
    return { name: 'launcher', status: 'ok', detail: `${binary} (started and answered)` };
  } catch (err) {
    return {
      name: 'launcher',
      status: 'warn',
      detail: `${binary} does not start (${(err as Error).message}): shell commands start from Node. Rebuild it with \`bastion build-launcher\` (or \`npm run build:native\` in a checkout).`,
    };
  }
}

// Where this run reads its config and writes its state, and what chose them.
export function checkPaths(paths: StatePaths, config: Config | undefined): CheckResult {
  const configFile = existsSync(paths.configFile)
    ? paths.configFile
    : `${paths.configFile} (absent; \`bastion init\` writes it)`;
  const audit = config ? `; audit log in ${config.audit.dir}` : '';
  return {
    name: 'paths',
    status: 'ok',
    detail: `${paths.origin}: config ${configFile}; state in ${paths.stateDir}${audit}; installed in ${packageRoot()} (never written)`,
  };
}

export async function checkSandbox(config: Config | undefined): Promise<CheckResult> {
  const detected = await detectSandbox();
  if (config && !config.shell.sandbox.enabled) {
    return {
      name: 'sandbox',
      status: 'warn',
      detail:
        "DISABLED by configuration: shell commands run unconfined with this user's rights. Set bastion.shell.sandbox.enabled = true.",
    };
  }
  // No privilege filter on this CPU: commands could leave setuid files in a root (warned).
  return detected.ok
    ? { name: 'sandbox', status: detected.privilegeFilter ? 'ok' : 'warn', detail: detected.detail }
    : { name: 'sandbox', status: 'fail', detail: `${detected.reason}. Fix: ${detected.fix}` };
}

// The command rules are enforced at exec by Landlock through the exec guard, when both exist.
export function checkExecRules(paths: StatePaths): CheckResult {
  const probe = probeExecGuard(chooseExecGuard(paths));
  if (probe === null)
    return {
      name: 'exec rules',
      status: 'warn',
      detail: `${EXEC_RULES_WEAK_WARNING}. Fix: \`bastion build-launcher\` (or \`npm run setup\` in a checkout) builds the exec guard with gcc`,
    };
  if (probe.abi < 1)
    return {
      name: 'exec rules',
      status: 'warn',
      detail: `${EXEC_RULES_WEAK_WARNING}. This kernel has no Landlock: Linux 5.13+ with CONFIG_SECURITY_LANDLOCK and landlock in the lsm= list (cat /sys/kernel/security/lsm)`,
    };
  return {
    name: 'exec rules',
    status: 'ok',
    detail: `Landlock ABI ${probe.abi}: allow, deny and confirm hold at exec, whatever the spelling`,
  };
}

// A root server binds its own /dev nodes, so a command cannot chmod the host's /dev/null.
export function checkDeviceNodes(): CheckResult {
  if (process.getuid?.() !== 0)
    return {
      name: 'device nodes',
      status: 'ok',
      detail: "the host's (owned by root, whom the sandbox does not map)",
    };
  const { devices, warning } = preparePrivateDevices();
  return devices !== null
    ? { name: 'device nodes', status: 'ok', detail: `private copies in ${devices.dir}` }
    : { name: 'device nodes', status: 'warn', detail: warning ?? 'unavailable' };
}

export async function checkRipgrep(): Promise<CheckResult> {
  try {
    const { stdout } = await execFileAsync('rg', ['--version'], { timeout: 5000 });
    return { name: 'ripgrep', status: 'ok', detail: stdout.split('\n')[0] ?? 'rg' };
  } catch {
    return {
      name: 'ripgrep',
      status: 'warn',
      detail: `rg not found: content search is unavailable. Fix: ${RIPGREP_INSTALL}`,
    };
  }
}

// The same verification as `bastion audit verify`: chains, MACs (with BASTION_AUDIT_KEY) and
// the signed checkpoints.
export function checkAuditLog(config: Config | undefined): CheckResult {
  if (!config) return { name: 'audit log', status: 'warn', detail: 'skipped (no valid config)' };
  const file = path.join(config.audit.dir, AUDIT_FILE_NAME);
  const key = process.env.BASTION_AUDIT_KEY;
  const report = verifyAuditDir({ dir: config.audit.dir, ...(key ? { key } : {}) });
  if (!report.ok)
    return {
      name: 'audit log',
      status: 'fail',
      detail: `${file}: ${report.problems.slice(0, 5).map(formatProblem).join('; ')}`,
    };
  if (!report.exists)
    return { name: 'audit log', status: 'ok', detail: `${file} (not created yet)` };
  const notes = report.notes.length > 0 ? `; ${report.notes[report.notes.length - 1]}` : '';
  return {
    name: 'audit log',
    status: 'ok',
    detail: `${file}: ${report.records} records in ${report.streams} streams${report.files > 1 ? ` across ${report.files} files (rotated ones included)` : ''}, hash chains and ${report.checkpoints} signed checkpoints intact${key ? ', MACs checked' : ''}${notes}`,
  };
}

// `npm audit --omit=dev` on the installed package: known vulnerabilities in what Bastion runs.
export async function checkNpmAudit(): Promise<CheckResult> {
  const cwd = packageRoot();
  if (!existsSync(path.join(cwd, 'package-lock.json'))) {
    return {
      name: 'npm audit',
      status: 'warn',
      detail: 'no package-lock.json next to the install; cannot audit dependencies',
    };
  }
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('npm', ['audit', '--omit=dev', '--json'], {
      cwd,
      timeout: 60_000,
      maxBuffer: 32 * 1024 * 1024,
    }));
  } catch (err) {
    // npm audit exits 1 when it finds vulnerabilities; its JSON is still on stdout.
    stdout = (err as { stdout?: string }).stdout ?? '';
  }
  return interpretNpmAudit(stdout);
}

// Read `npm audit --json` output: high/critical findings fail; a registry without the audit
// endpoint (mirrors, offline machines) is a warning, since it says nothing either way.
export function interpretNpmAudit(stdout: string): CheckResult {
  let report: {
    metadata?: { vulnerabilities?: Record<string, number> };
    error?: { summary?: string };
    message?: string;
  };
  try {
    report = JSON.parse(stdout) as typeof report;
  } catch {
    return {
      name: 'npm audit',
      status: 'warn',
      detail: 'could not audit: npm gave no report (offline?)',
    };
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    const why = report.error?.summary || report.message || 'no report';
    return { name: 'npm audit', status: 'warn', detail: `could not audit: ${why}` };
  }
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  const total = Object.entries(counts)
    .filter(([k]) => k !== 'total')
    .reduce((sum, [, n]) => sum + n, 0);
  if (serious > 0) {
    return {
      name: 'npm audit',
      status: 'fail',
      detail: `${serious} high/critical vulnerabilities in runtime dependencies`,
    };
  }
  return {
    name: 'npm audit',
    status: total > 0 ? 'warn' : 'ok',
    detail: `${total} known vulnerabilities in runtime dependencies`,
  };
}
