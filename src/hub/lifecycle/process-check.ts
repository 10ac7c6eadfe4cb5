import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

function readProcFile(pid: number, name: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

// The state letter and process group from /proc/<pid>/stat; the command name in parentheses may
// itself hold spaces and parentheses, so fields are counted after the last ')'.
function readStat(pid: number): { state: string; pgrp: number } | undefined {
  const stat = readProcFile(pid, 'stat');
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, , pgrp] = fields;
  if (state === undefined || pgrp === undefined) return undefined;
  return { state, pgrp: Number(pgrp) };
}

// True while a process with this pid exists and has not exited. A zombie counts as gone: it has
// released everything and only waits for a parent (in containers, PID 1 may never reap it).
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists under another user. Only ESRCH proves it is gone.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // No /proc entry (another OS, or hidepid hiding another user's process): kill(2) said it exists.
  return readStat(pid)?.state !== 'Z';
}

// The process group of `pid` (Linux), or undefined when it cannot be read.
export function processGroupOf(pid: number): number | undefined {
  return readStat(pid)?.pgrp;
}

// argv of another process: /proc/<pid>/cmdline on Linux, `ps` elsewhere (space-joined there, so
// arguments with spaces split; good enough to recognise our own hub).
function readArgv(pid: number): string[] | undefined {
  const cmdline = readProcFile(pid, 'cmdline');
  if (cmdline !== undefined) return cmdline.split('\0').filter((arg) => arg !== '');
  if (process.platform === 'linux') return undefined;
  try {
    const out = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 5000,
    });
    return out.trim().split(/\s+/);
  } catch {
    return undefined;
  }
}

function resolveArg(pid: number, arg: string): string {
  let resolved = arg;
  if (!path.isAbsolute(arg)) {
    try {
      resolved = path.resolve(readlinkSync(`/proc/${pid}/cwd`), arg);
    } catch {
      return arg;
    }
  }
  try {
    return realpathSync(resolved);
  } catch {
    return resolved;
  }
}

// Whether `pid` runs `<node> <mainScript> hub ...`: the Bastion hub this install started, and not
// some unrelated process that was given the pid after the hub died.
export function isHubProcess(pid: number, mainScript: string): boolean {
  const argv = readArgv(pid);
  if (argv === undefined) return false;
  let main: string;
  try {
    main = realpathSync(mainScript);
  } catch {
    main = mainScript;
  }
  // Security: pid reuse. A pid file outlives its process; signalling whatever holds the pid now
  // could kill an unrelated program of this user. Only our main script followed by `hub` counts.
  return argv.some((arg, i) => argv[i + 1] === 'hub' && resolveArg(pid, arg) === main);
}
