import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { systemDirArgs } from './bwrap-args.js';
import { buildPrivilegeFilter, seccompArchFor } from './seccomp-filter.js';

// Result of probing this machine for a working bubblewrap. seccompFilter is null only on an
// architecture the privilege filter does not know (the caller warns; see docs/SANDBOX.md).
export type SandboxDetection =
  | {
      ok: true;
      kind: 'bubblewrap';
      detail: string;
      bwrapPath: string;
      prlimitPath: string;
      seccompFilter: Buffer | null;
    }
  | { ok: false; reason: string; fix: string };

// Said at start and by doctor when no filter can be installed here.
export function noPrivilegeFilterWarning(arch: string = process.arch): string {
  return (
    `no seccomp privilege filter for this CPU architecture (${arch}; Bastion has one for x86_64 and aarch64): ` +
    'a sandboxed command can leave setuid/setgid files in a read-write root, which run with the server uid on the host. ' +
    'Do not run the shell server as root here.'
  );
}

// Where to look; injectable so tests can simulate a machine without bwrap.
export interface DetectOptions {
  bwrapPath?: string;
  searchPath?: string;
  // The CPU as Node names it (default process.arch); tests simulate one without a filter.
  arch?: string;
}

const INSTALL_FIX =
  'Install bubblewrap: `sudo apt-get install -y bubblewrap` (Debian/Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch).';
const USERNS_FIX =
  'Enable unprivileged user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian), ' +
  'on Ubuntu 23.10+ `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for bwrap, ' +
  'and make sure `user.max_user_namespaces` is not 0. In Docker, run with `--security-opt seccomp=unconfined` or use a VM.';

const SECCOMP_FIX =
  'The kernel must accept seccomp filters (CONFIG_SECCOMP_FILTER, Linux >= 4.14). In a container, ' +
  "allow seccomp(2) and prctl(PR_SET_SECCOMP) (Docker's default profile does).";
// Run inside the probe: exit 0 only if making a file setuid is refused.
const FILTER_SELF_TEST =
  ': > /tmp/probe && chmod 4755 /tmp/probe 2>/dev/null; ' +
  'if [ -u /tmp/probe ]; then echo "seccomp privilege filter not enforced"; exit 1; fi';

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

// Run a probe with `fd3` written to its fd 3 (bwrap --seccomp 3); same bounds as tryRun.
function tryRunWithFd3(
  file: string,
  args: string[],
  fd3: Buffer,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    // Security: argv array, fixed minimal env, timeout and output cap on the probe itself.
    const child = spawn(file, args, {
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const pipe = child.stdio[3] as NodeJS.WritableStream | null;
    pipe?.on('error', () => undefined);
    pipe?.end(fd3);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: output.trim() });
    });
  });
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
  const arch = seccompArchFor(options.arch ?? process.arch);
  const seccompFilter = arch ? buildPrivilegeFilter(arch) : null;
  const probeArgs = [
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
    '--tmpfs',
    '/tmp',
    ...(seccompFilter ? ['--seccomp', '3'] : []),
    '--',
    prlimitPath,
    '--nproc=64',
    '--',
    // Security: the probe proves the filter holds: chmod u+s must fail inside.
    ...(seccompFilter ? ['/bin/sh', '-c', FILTER_SELF_TEST] : ['true']),
  ];
  const probe = seccompFilter
    ? await tryRunWithFd3(bwrapPath, probeArgs, seccompFilter)
    : await tryRun(bwrapPath, probeArgs);
  if (!probe.ok) {
    const unknownOption = /Unknown option|unrecognized option/i.test(probe.output);
    const seccomp = /seccomp|not enforced/i.test(probe.output);
    return {
      ok: false,
      reason: `bubblewrap is installed but cannot create a sandbox here: ${probe.output.slice(0, 300) || 'no output'}`,
      fix: unknownOption
        ? `Upgrade bubblewrap to 0.8 or later. ${INSTALL_FIX}`
        : seccomp
          ? SECCOMP_FIX
          : USERNS_FIX,
    };
  }
  return {
    ok: true,
    kind: 'bubblewrap',
    detail:
      `${version.output || 'bwrap'} at ${bwrapPath}; ` +
      (arch ? `seccomp privilege filter (${arch.name})` : noPrivilegeFilterWarning(options.arch)),
    bwrapPath,
    prlimitPath,
    seccompFilter,
  };
}
