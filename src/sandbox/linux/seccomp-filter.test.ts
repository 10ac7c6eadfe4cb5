import { describe, expect, it } from 'vitest';
import { BPF_INSN_BYTES, BPF_OPCODES } from './bpf-assembler.js';
import { AARCH64, buildPrivilegeFilter, seccompArchFor, X86_64 } from './seccomp-filter.js';

// The kernel's checks on a classic program (bpf_check_classic) that matter here: known
// opcodes, forward jumps inside the program, a return last.
function isValidProgram(bytes: Buffer): boolean {
  const n = bytes.length / BPF_INSN_BYTES;
  if (!Number.isInteger(n) || n === 0) return false;
  const known = new Set<number>(Object.values(BPF_OPCODES));
  for (let pc = 0; pc < n; pc += 1) {
    const code = bytes.readUInt16LE(pc * 8);
    if (!known.has(code)) return false;
    if ((code & 0x07) === 0x05) {
      const jt = bytes.readUInt8(pc * 8 + 2);
      const jf = bytes.readUInt8(pc * 8 + 3);
      if (pc + 1 + Math.max(jt, jf) >= n) return false;
    }
  }
  return bytes.readUInt16LE((n - 1) * 8) === BPF_OPCODES.retK;
}

// Run the program over one struct seccomp_data, as the kernel would (little-endian).
function run(bytes: Buffer, nr: number, arch: number, args: readonly bigint[] = []): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(nr >>> 0, 0);
  data.writeUInt32LE(arch >>> 0, 4);
  args.forEach((a, i) => data.writeBigUInt64LE(BigInt.asUintN(64, a), 16 + 8 * i));
  let acc = 0;
  for (let pc = 0; pc < bytes.length / 8;) {
    const code = bytes.readUInt16LE(pc * 8);
    const jt = bytes.readUInt8(pc * 8 + 2);
    const jf = bytes.readUInt8(pc * 8 + 3);
    const k = bytes.readUInt32LE(pc * 8 + 4);
    pc += 1;
    switch (code) {
      case BPF_OPCODES.ldAbsW:
        acc = data.readUInt32LE(k);
        break;
      case BPF_OPCODES.andK:
        acc = (acc & k) >>> 0;
        break;
      case BPF_OPCODES.jeqK:
        pc += acc === k ? jt : jf;
        break;
      case BPF_OPCODES.jgeK:
        pc += acc >= k ? jt : jf;
        break;
      case BPF_OPCODES.jsetK:
        pc += (acc & k) !== 0 ? jt : jf;
        break;
      case BPF_OPCODES.retK:
        return k;
      default:
        throw new Error(`unknown opcode ${code}`);
    }
  }
  throw new Error('fell off the end');
}

const ALLOW = 0x7fff0000;
const EPERM = 0x50001;
const ENOSYS = 0x50026;
const KILL = 0x80000000;
const O_CREAT = 0o100n;
const O_TMPFILE = 0o20200000n;
const O_WRONLY = 1n;

describe('privilege filter (x86_64)', () => {
  const prog = buildPrivilegeFilter(X86_64);
  const x86 = (nr: number, args: bigint[]) => run(prog, nr, X86_64.auditArch, args);

  it('is a program the kernel accepts, and no truncation of it is', () => {
    expect(isValidProgram(prog)).toBe(true);
    for (let n = 1; n < prog.length / 8; n += 1) {
      expect(isValidProgram(prog.subarray(0, n * 8))).toBe(false);
    }
  });

  it.each([
    ['chmod u+s', 90, [0n, 0o4755n], EPERM],
    ['chmod g+s', 90, [0n, 0o2755n], EPERM],
    ['chmod 755', 90, [0n, 0o755n], ALLOW],
    ['chmod sticky', 90, [0n, 0o1777n], ALLOW],
    ['chmod 4755 in the high word too', 90, [0n, 0xffff_ffff_0000_0000n | 0o4755n], EPERM],
    ['high word bits alone are ignored by the kernel', 90, [0n, 0x4000_0000_0000n | 0o644n], ALLOW],
    ['fchmod 6755', 91, [3n, 0o6755n], EPERM],
    ['fchmod 644', 91, [3n, 0o644n], ALLOW],
    ['fchmodat 4755', 268, [-100n, 0n, 0o4755n], EPERM],
    ['fchmodat 700', 268, [-100n, 0n, 0o700n], ALLOW],
    ['fchmodat2 2755', 452, [-100n, 0n, 0o2755n, 0n], EPERM],
    ['creat 4755', 85, [0n, 0o4755n], EPERM],
    ['creat 755', 85, [0n, 0o755n], ALLOW],
    ['open O_CREAT 4755', 2, [0n, O_CREAT | O_WRONLY, 0o4755n], EPERM],
    ['open O_CREAT 644', 2, [0n, O_CREAT | O_WRONLY, 0o644n], ALLOW],
    ['open without O_CREAT ignores a garbage mode', 2, [0n, 0n, 0o6777n], ALLOW],
    ['openat O_CREAT 2755', 257, [-100n, 0n, O_CREAT, 0o2755n], EPERM],
    ['openat O_TMPFILE 4755', 257, [-100n, 0n, O_TMPFILE | 2n, 0o4755n], EPERM],
    ['openat read-only', 257, [-100n, 0n, 0n, 0o4755n], ALLOW],
    ['mknod char device', 133, [0n, 0o020644n, 0x103n], EPERM],
    ['mknod 0:0 whiteout', 133, [0n, 0o020000n, 0n], EPERM],
    ['mknodat block device', 259, [-100n, 0n, 0o060600n, 0x800n], EPERM],
    ['mknodat regular 4755', 259, [-100n, 0n, 0o100000n | 0o4755n, 0n], EPERM],
    ['mknodat type 0 with setgid', 259, [-100n, 0n, 0o2755n, 0n], EPERM],
    ['mknodat fifo', 259, [-100n, 0n, 0o010644n, 0n], ALLOW],
    ['mknodat socket', 259, [-100n, 0n, 0o140755n, 0n], ALLOW],
    ['renameat2 RENAME_WHITEOUT', 316, [-100n, 0n, -100n, 0n, 4n], EPERM],
    ['renameat2 RENAME_NOREPLACE', 316, [-100n, 0n, -100n, 0n, 1n], ALLOW],
    ['openat2', 437, [-100n, 0n, 0n, 24n], ENOSYS],
    ['io_uring_setup', 425, [8n, 0n], ENOSYS],
    ['io_uring_enter', 426, [], ENOSYS],
    ['io_uring_register', 427, [], ENOSYS],
    ['x32 chmod', 90 | 0x4000_0000, [0n, 0o4755n], ENOSYS],
    ['x32 read', 0x4000_0000, [], ENOSYS],
    ['read', 0, [0n, 0n, 4096n], ALLOW],
    ['mkdir 6755 (the kernel keeps only rwx and sticky)', 83, [0n, 0o6755n], ALLOW],
  ] as const)('%s', (_name, nr, args, expected) => {
    expect(x86(nr, [...args])).toBe(expected);
  });

  it('kills a process making i386 (int 0x80) or any other foreign-ABI syscall', () => {
    expect(run(prog, 15, 0x4000_0003, [0n, 0o4755n])).toBe(KILL); // i386 chmod
    expect(run(prog, 0, 0x4000_0003)).toBe(KILL);
    expect(run(prog, 90, AARCH64.auditArch, [0n, 0o4755n])).toBe(KILL);
  });
});

describe('privilege filter (aarch64)', () => {
  const prog = buildPrivilegeFilter(AARCH64);
  const arm = (nr: number, args: bigint[]) => run(prog, nr, AARCH64.auditArch, args);

  it('uses the generic syscall table', () => {
    expect(isValidProgram(prog)).toBe(true);
    expect(arm(52, [3n, 0o4755n])).toBe(EPERM); // fchmod
    expect(arm(53, [-100n, 0n, 0o2755n])).toBe(EPERM); // fchmodat
    expect(arm(452, [-100n, 0n, 0o4755n, 0n])).toBe(EPERM); // fchmodat2
    expect(arm(56, [-100n, 0n, O_CREAT, 0o4755n])).toBe(EPERM); // openat
    expect(arm(56, [-100n, 0n, O_CREAT, 0o644n])).toBe(ALLOW);
    expect(arm(33, [-100n, 0n, 0o020644n, 0x103n])).toBe(EPERM); // mknodat
    expect(arm(276, [-100n, 0n, -100n, 0n, 4n])).toBe(EPERM); // renameat2 whiteout
    expect(arm(437, [])).toBe(ENOSYS);
    expect(arm(425, [])).toBe(ENOSYS);
    // 90 is capget on arm64, not chmod; and x32 numbers mean nothing here.
    expect(arm(90, [0n, 0o4755n])).toBe(ALLOW);
    expect(run(prog, 15, 0x4000_0028)).toBe(KILL); // arm32 compat
  });
});

describe('seccompArchFor', () => {
  it('knows x64 and arm64 only', () => {
    expect(seccompArchFor('x64')).toBe(X86_64);
    expect(seccompArchFor('arm64')).toBe(AARCH64);
    for (const other of ['ia32', 'arm', 'riscv64', 'ppc64', 's390x', 'loong64'])
      expect(seccompArchFor(other)).toBeNull();
  });
});
