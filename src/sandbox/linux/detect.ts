import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { systemDirArgs } from './bwrap-args.js';

// Result of probing this machine for a working bubblewrap.
export type SandboxDetection =
  | { ok: true; kind: 'bubblewrap'; detail: string; bwrapPath: string; prlimitPath: string }
  | { ok: false; reason: string; fix: string };

// Where to look; injectable so tests can simulate a machine without bwrap.
export interface DetectOptions {
  bwrapPath?: string;
  searchPath?: string;
}

const INSTALL_FIX =
  'Install bubblewrap: `sudo apt-get install -y bubblewrap` (Debian/Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch).';
const USERNS_FIX =
  'Enable unprivileged user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian), ' +
  'on Ubuntu 23.10+ `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for bwrap, ' +
  'and make sure `user.max_user_namespaces` is not 0. In Docker, run with `--security-opt seccomp=unconfined` or use a VM.';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Look a program up in a PATH string (no shell involved).
export function findInPath(name: string, searchPath: string | undefined): string | null {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function tryRun(file: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    // Security: argv array, fixed minimal env, timeout and output cap on the probe itself.
    execFile(
      file,
      args,
      {
        env: { PATH: '/usr/bin:/bin' },
        timeout: 10_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

// Actually start a tiny bwrap with the namespaces Bastion needs; say how to fix any failure.
export async function detectSandbox(options: DetectOptions = {}): Promise<SandboxDetection> {
  if (process.platform !== 'linux') {
    return {
      ok: false,
      reason: `The OS sandbox needs Linux (bubblewrap); this is ${process.platform}.`,
      fix: 'Run the shell server on Linux (or in a Linux VM), or set bastion.shell.sandbox.enabled=false to accept running commands without isolation.',
    };
  }
  const bwrapPath =
    options.bwrapPath ?? findInPath('bwrap', options.searchPath ?? process.env.PATH);
  if (bwrapPath === null || !isExecutable(bwrapPath)) {
    return { ok: false, reason: 'bubblewrap (bwrap) was not found.', fix: INSTALL_FIX };
  }
  const prlimitPath = ['/usr/bin/prlimit', '/bin/prlimit'].find(isExecutable);
  if (prlimitPath === undefined) {
    return {
      ok: false,
      reason: 'prlimit (util-linux) was not found in /usr/bin; it sets the per-process limits.',
      fix: 'Install util-linux: `sudo apt-get install -y util-linux`.',
    };
  }
  const version = await tryRun(bwrapPath, ['--version']);
  const probe = await tryRun(bwrapPath, [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    ...systemDirArgs(),
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--remount-ro',
    '/proc',
    '--',
    prlimitPath,
    '--nproc=64',
    '--',
    'true',
  ]);
  if (!probe.ok) {
    const unknownOption = /Unknown option|unrecognized option/i.test(probe.output);
    return {
      ok: false,
      reason: `bubblewrap is installed but cannot create a sandbox here: ${probe.output.slice(0, 300) || 'no output'}`,
      fix: unknownOption ? `Upgrade bubblewrap to 0.8 or later. ${INSTALL_FIX}` : USERNS_FIX,
    };
  }
  return {
    ok: true,
    kind: 'bubblewrap',
    detail: `${version.output || 'bwrap'} at ${bwrapPath}`,
    bwrapPath,
    prlimitPath,
  };
}
