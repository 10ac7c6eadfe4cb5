import type { Command } from 'commander';
import { collect, configOptionsFor, type ConfigFlags } from '../load-cli-config.js';
import { resolveStatePaths } from '../state-paths.js';
import type { CheckResult } from './doctor-checks.js';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

// `bastion doctor`: everything that must hold for Bastion to keep its promises, in one report;
// exits 1 when any check fails.
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the config, sandbox, tools, audit log and dependencies')
    .option('--root <dir>', 'check with this root instead of the config roots', collect)
    .option('--config <file>', 'settings file')
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--skip-npm-audit', 'do not run npm audit (offline machines)')
    .action(async (flags: ConfigFlags & { skipNpmAudit?: boolean }) => {
      // Loaded only when the doctor runs: the checks pull in the sandbox, which `serve files`
      // never needs (about 20 ms of every files server's cold start).
      const {
        checkAuditLog,
        checkConfig,
        checkDeviceNodes,
        checkExecRules,
        checkLauncher,
        checkNode,
        checkNpmAudit,
        checkPaths,
        checkRipgrep,
        checkSandbox,
      } = await import('./doctor-checks.js');
      const { checkHub } = await import('./doctor-hub-check.js');
      const paths = resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
      const { result: configResult, config } = checkConfig(configOptionsFor(flags, paths));
      const results: CheckResult[] = [
        checkNode(),
        checkPaths(paths, config),
        configResult,
        await checkSandbox(config),
        await checkLauncher(paths),
        checkDeviceNodes(),
        checkExecRules(paths),
        await checkRipgrep(),
        checkAuditLog(config),
        checkHub(config, paths.baseDir),
      ];
      if (!flags.skipNpmAudit) results.push(await checkNpmAudit());
      for (const r of results) console.log(`[${MARK[r.status]}] ${r.name}: ${r.detail}`);
      const failed = results.filter((r) => r.status === 'fail').length;
      console.log(
        failed === 0
          ? '\nbastion doctor: all checks passed'
          : `\nbastion doctor: ${failed} check(s) failed`,
      );
      process.exit(failed === 0 ? 0 : 1);
    });
}
