import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isProcessGone } from '../process-gone.js';

// The device nodes bwrap --dev binds from the host into every sandbox.
export const DEVICE_NODES = [
  { name: 'null', major: 1, minor: 3 },
  { name: 'zero', major: 1, minor: 5 },
  { name: 'full', major: 1, minor: 7 },
  { name: 'random', major: 1, minor: 8 },
  { name: 'urandom', major: 1, minor: 9 },
  { name: 'tty', major: 5, minor: 0 },
] as const;

// Where a root server keeps its own copies: /dev is the one host filesystem that is sure to
// allow device nodes (a bind mount keeps its source's nodev, which a user namespace cannot
// lift), and it is emptied at boot.
export const PRIVATE_DEV_PARENT = '/dev/.bastion';
const NODE_MODE = 0o666;

// Node's fs.Stats.rdev encoding of a device number (glibc makedev).
function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12);
}

export interface PrivateDevices {
  // The dir holding this server's nodes, bound over /dev/<name> in each sandbox.
  dir: string;
  // Put back what a command may have changed (the mode; times do not matter), before a launch.
  repair(): void;
}

// Dirs left by root servers that died without their exit handler (kill -9).
function sweepStale(): void {
  let names: string[];
  try {
    names = readdirSync(PRIVATE_DEV_PARENT);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessGone(pid))
      rmSync(path.join(PRIVATE_DEV_PARENT, name), { recursive: true, force: true });
  }
}

// Security: a server running as root maps the sandbox uid to root, so the host's /dev/null,
// /dev/tty, ... belong to the command's uid: `chmod 600 /dev/null` inside would break the host
// (and `touch` change it). A read-only mount would also make them unusable (bwrap adds nodev),
// so each root server makes its own nodes and binds those instead. A non-root server needs none:
// the host nodes belong to root, whom its user namespace does not map.
// Returns null when not root; throws when the nodes cannot be made (no CAP_MKNOD). One set per
// process, shared by every sandbox it creates.
let shared: PrivateDevices | undefined;
export function createPrivateDevices(mknodPath: string): PrivateDevices | null {
  if (process.getuid?.() !== 0) return null;
  shared ??= makePrivateDevices(mknodPath);
  return shared;
}

function makePrivateDevices(mknodPath: string): PrivateDevices {
  sweepStale();
  const dir = path.join(PRIVATE_DEV_PARENT, String(process.pid));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const node of DEVICE_NODES) {
    execFileSync(
      mknodPath,
      ['-m', '666', path.join(dir, node.name), 'c', String(node.major), String(node.minor)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  const repair = (): void => {
    for (const node of DEVICE_NODES) {
      const file = path.join(dir, node.name);
      const st = lstatSync(file);
      if (!st.isCharacterDevice() || st.rdev !== makedev(node.major, node.minor) || st.uid !== 0)
        throw new Error(`${file} was replaced on the host`);
      if ((st.mode & 0o7777) !== NODE_MODE) chmodSync(file, NODE_MODE);
    }
  };
  repair();
  return { dir, repair };
}

// bwrap options that cover the host nodes bound by --dev with this server's own.
export function privateDeviceArgs(dir: string): string[] {
  return DEVICE_NODES.flatMap((node) => [
    '--dev-bind',
    path.join(dir, node.name),
    `/dev/${node.name}`,
  ]);
}

// What a root server says when it has to bind the host's nodes.
export function hostDevicesWarning(why: string): string {
  return (
    `running as root without private device nodes (${why}): a sandboxed command can change the ` +
    "mode of the host's /dev/null, /dev/tty, ... Run Bastion as an ordinary user, or give it CAP_MKNOD."
  );
}

// The same nodes as launcher options (native/launcher.c -d), bound once in its namespace.
export function privateDeviceLauncherArgs(dir: string): string[] {
  return DEVICE_NODES.flatMap((node) => ['-d', path.join(dir, node.name), `/dev/${node.name}`]);
}
