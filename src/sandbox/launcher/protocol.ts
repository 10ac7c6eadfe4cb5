// The wire format of native/launcher.c (see the comment at its top and docs/SANDBOX.md).

// A per-process limit the launcher sets in the child before exec (setrlimit).
export interface Rlimit {
  resource: 'fsize' | 'cpu' | 'core' | 'as' | 'nproc';
  soft: number;
  hard: number;
}

// One field of a frame: a one-letter tag and its value (a string, or raw bytes for 'd').
export type FrameField = readonly [tag: string, value: string | Uint8Array];

// What to start: the same fields as a LaunchPlan, as the launcher needs them.
export interface LaunchRequest {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  cgroupDirs: readonly string[];
  rlimits: readonly Rlimit[];
  // The child's fds from 3 up, in order: bytes (a memfd) or a server fd (reopened via /proc).
  fds: readonly ({ bytes: Uint8Array } | { serverFd: number })[];
  // Overlays the child mounts in a mount namespace of its own before exec (history of commands).
  overlays?: readonly OverlayMount[];
}

// One read-write root covered by an overlay: the command's writes land in `upper` (work: the
// overlay's scratch dir, same file system as upper), the root itself stays as it was.
export interface OverlayMount {
  lower: string;
  upper: string;
  work: string;
  // The launcher's id of this overlay made ahead ('P'), attached at lower by one move_mount;
  // absent: the child mounts it itself.
  prepared?: number;
}

// The launcher's answer to a launch: its child's pid and the launcher's fd numbers of the
// server's ends of the child's stdin, stdout and stderr pipes.
export interface LaunchAnswer {
  pid: number;
  pipeFds: readonly [number, number, number];
}

// A child of the launcher ended (code, or the number of the signal that killed it).
export interface ExitEvent {
  pid: number;
  code: number | null;
  signal: number | null;
}

const NUL = new Uint8Array([0]);

function hasNul(text: string): boolean {
  return text.includes('\0');
}

// Encode one frame: u32 LE body length, then per field u8 tag, u32 LE length, bytes + NUL.
export function encodeFrame(fields: readonly FrameField[]): Buffer {
  const parts: Buffer[] = [];
  for (const [tag, value] of fields) {
    if (tag.length !== 1) throw new TypeError(`expected a one-letter tag, got ${tag}`);
    if (typeof value === 'string' && hasNul(value))
      throw new TypeError('expected strings without NUL bytes');
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    const head = Buffer.alloc(5);
    head.write(tag, 0, 'latin1');
    head.writeUInt32LE(bytes.length + 1, 1);
    parts.push(head, bytes, Buffer.from(NUL));
  }
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length, 0);
  return Buffer.concat([size, body]);
}

// The frame of a launch request. Security: every string is checked for NUL (it would cut an
// argument short in C), and env keys for '=' (a key must not smuggle a second assignment).
export function encodeLaunch(req: LaunchRequest): Buffer {
  if (req.argv.length === 0) throw new TypeError('expected a non-empty argv, got []');
  const fields: FrameField[] = [
    ['L', ''],
    ['c', req.cwd],
  ];
  for (const arg of req.argv) fields.push(['a', arg]);
  for (const [key, value] of Object.entries(req.env)) {
    if (key === '' || key.includes('=')) throw new TypeError(`expected an env name, got ${key}`);
    fields.push(['e', `${key}=${value}`]);
  }
  for (const dir of req.cgroupDirs) fields.push(['g', dir]);
  for (const r of req.rlimits) {
    if (![r.soft, r.hard].every((n) => Number.isSafeInteger(n) && n >= 0))
      throw new RangeError(`expected non-negative integer limits for ${r.resource}`);
    fields.push(['r', `${r.resource} ${r.soft} ${r.hard}`]);
  }
  for (const fd of req.fds) {
    if ('bytes' in fd) fields.push(['d', fd.bytes]);
    else fields.push(['f', String(fd.serverFd)]);
  }
  for (const o of req.overlays ?? []) {
    if (o.prepared !== undefined) fields.push(['m', `${o.prepared} ${o.lower}`]);
    else fields.push(['o', o.lower], ['u', o.upper], ['w', o.work]);
  }
  return encodeFrame(fields);
}

// The frame asking the launcher to signal its (not yet reaped) child, or its process group.
export function encodeKill(pid: number, signal: number, group: boolean): Buffer {
  return encodeFrame([['K', `${pid} ${signal} ${group ? 1 : 0}`]]);
}

// The frame asking whether an overlay upper dir is opaque (it replaced the dir below it).
export function encodeOpaqueQuery(dir: string): Buffer {
  return encodeFrame([['O', dir]]);
}

// The frame asking the launcher to make an overlay ahead of its command (answer: "ok <id>").
export function encodePrepareOverlay(o: OverlayMount): Buffer {
  return encodeFrame([
    ['P', ''],
    ['o', o.lower],
    ['u', o.upper],
    ['w', o.work],
  ]);
}

// The frame releasing the launcher's copies of a child's pipe ends, once the server has its own.
export function encodeRelease(pid: number): Buffer {
  return encodeFrame([['C', String(pid)]]);
}

// A launch or kill answer: "ok <numbers...>" or "err <errno> <step>".
export function parseAnswer(
  line: string,
): { ok: true; numbers: number[] } | { ok: false; errno: number; step: string } {
  const [word, ...rest] = line.trim().split(' ');
  if (word === 'ok') {
    const numbers = rest.map(Number);
    if (numbers.every(Number.isInteger)) return { ok: true, numbers };
  }
  if (word === 'err' && rest.length === 2 && Number.isInteger(Number(rest[0]))) {
    return { ok: false, errno: Number(rest[0]), step: rest[1] ?? '' };
  }
  throw new TypeError(`expected a launcher answer, got ${JSON.stringify(line.slice(0, 80))}`);
}

// A line of the event channel: "ready <req fd> <resp fd> <static mounts 0|1>" or
// "exit <pid> <code> <signal>".
export function parseEvent(
  line: string,
):
  | { kind: 'ready'; reqFd: number; respFd: number; staticMounts: boolean }
  | ({ kind: 'exit' } & ExitEvent)
  | null {
  const [word, ...rest] = line.trim().split(' ');
  const n = rest.map(Number);
  if (!n.every(Number.isInteger)) return null;
  if (word === 'ready' && n.length === 3)
    return {
      kind: 'ready',
      reqFd: n[0] as number,
      respFd: n[1] as number,
      staticMounts: n[2] === 1,
    };
  if (word === 'exit' && n.length === 3) {
    const [pid, code, signal] = n as [number, number, number];
    return { kind: 'exit', pid, code: code < 0 ? null : code, signal: signal > 0 ? signal : null };
  }
  return null;
}
