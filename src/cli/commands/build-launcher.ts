import { execFile } from 'node:child_process';
import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { packageRoot } from '../home.js';
import {
  ensurePrivateDir,
  resolveStatePaths,
  stateExecGuardPath,
  stateLauncherPath,
} from '../state-paths.js';

const execFileAsync = promisify(execFile);

// The flags of scripts/build-native.sh (keep the two in step): warnings are errors, and the
// binary is hardened (fortify, stack protector, PIE, full RELRO).
const CFLAGS = [
  '-std=gnu11',
  '-O2',
  '-Wall',
  '-Wextra',
  '-Wshadow',
  '-Wformat=2',
  '-Werror',
  '-D_FORTIFY_SOURCE=2',
  '-fstack-protector-strong',
  '-fPIE',
  '-pie',
  '-Wl,-z,relro,-z,now',
] as const;

// `bastion build-launcher`: compile the shipped native/launcher.c with the system compiler into
// the state dir, so an npm install gets the faster command start without writing to the install.
export function registerBuildLauncherCommand(program: Command): void {
  program
    .command('build-launcher')
    .description(
      'build the sandbox launcher and exec guard (native/*.c) into the state dir with gcc',
    )
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs; see doctor)')
    .option('--cc <compiler>', 'C compiler', process.env.CC ?? 'gcc')
    .action(async (flags: { home?: string; cc: string }) => {
      const paths = resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
      const builds = [
        { source: 'launcher.c', target: stateLauncherPath(paths) },
        { source: 'exec-guard.c', target: stateExecGuardPath(paths) },
      ];
      for (const { source: name, target } of builds) {
        const source = path.join(packageRoot(), 'native', name);
        if (process.platform !== 'linux' || !existsSync(source)) {
          console.error(`bastion: the sandbox helpers are Linux-only and need native/${name}`);
          process.exit(2);
        }
        ensurePrivateDir(path.dirname(target));
        const partial = `${target}.tmp`;
        try {
          await execFileAsync(flags.cc, [...CFLAGS, '-o', partial, source], { timeout: 120_000 });
        } catch (err) {
          rmSync(partial, { force: true });
          const e = err as NodeJS.ErrnoException & { stderr?: string };
          const why =
            e.code === 'ENOENT'
              ? `${flags.cc} not found`
              : (e.stderr ?? e.message).trim().slice(0, 2000);
          console.error(
            `bastion: could not build native/${name}: ${why}\n` +
              'Install a C compiler: `sudo apt-get install -y gcc libc6-dev` (Debian/Ubuntu), ' +
              '`sudo dnf install gcc glibc-devel` (Fedora), `sudo pacman -S gcc` (Arch). ' +
              'Without them shell commands still run, starting from Node, with the exec rules on masks only.',
          );
          process.exit(1);
        }
        // The guard is bound into every sandbox and run there by the sandbox uid (the server's
        // own uid outside): owner-only modes suffice.
        chmodSync(partial, 0o700);
        renameSync(partial, target);
        console.log(`bastion: built ${target}`);
      }
      console.log(
        'bastion: the shell server starts commands through the launcher and its exec guard',
      );
    });
}
