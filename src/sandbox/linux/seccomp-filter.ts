import { assembleBpf, encodeBpf, type BpfStep } from './bpf-assembler.js';

// The seccomp filter bwrap installs on every sandboxed process (--seccomp FD). It exists for
// one threat: privilege left behind. Files a command creates in a read-write root belong, on
// the host, to the server's uid (root when Bastion runs as root); `nosuid` on the bind mount
// guards only the inside. A setuid/setgid file left there would run with that uid for anyone
// on the host, so the modes that grant it can never be set. Device nodes likewise. (File
// capabilities need CAP_SETFCAP, which bwrap's --cap-drop ALL already removes.)

// struct seccomp_data (<linux/seccomp.h>): u32 nr, u32 arch, u64 ip, u64 args[6].
const DATA_NR = 0;
const DATA_ARCH = 4;
// Low 32 bits of args[i] on a little-endian machine: modes and flags are ints in the kernel.
const argLow = (i: number): number => 16 + 8 * i;

// Return actions (<linux/seccomp.h>).
const SECCOMP_RET_KILL_PROCESS = 0x8000_0000;
const SECCOMP_RET_ERRNO = 0x0005_0000;
const SECCOMP_RET_ALLOW = 0x7fff_0000;
const EPERM = 1;
const ENOSYS = 38;

// Mode and flag bits, identical on x86_64 and aarch64 (<asm-generic/fcntl.h>, <linux/stat.h>).
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const O_CREAT = 0o100;
const O_TMPFILE_BIT = 0o20000000; // __O_TMPFILE: O_TMPFILE also creates, with a mode.
const RENAME_WHITEOUT = 1 << 2; // Leaves a 0:0 character device (an overlayfs whiteout).

// What the filter does with one syscall.
type Check =
  | { kind: 'mode'; arg: number }
  | { kind: 'create-mode'; flagsArg: number; modeArg: number }
  | { kind: 'node'; arg: number }
  | { kind: 'flags'; arg: number; mask: number }
  | { kind: 'unavailable' };

// Argument positions come from each syscall's signature, the same on every architecture.
const CHECKS = {
  // chmod(path, mode), fchmod(fd, mode), fchmodat(dfd, path, mode), fchmodat2(dfd, path, mode, flags)
  chmod: { kind: 'mode', arg: 1 },
  fchmod: { kind: 'mode', arg: 1 },
  fchmodat: { kind: 'mode', arg: 2 },
  fchmodat2: { kind: 'mode', arg: 2 },
  // creat(path, mode) always creates; open(path, flags, mode), openat(dfd, path, flags, mode)
  creat: { kind: 'mode', arg: 1 },
  open: { kind: 'create-mode', flagsArg: 1, modeArg: 2 },
  openat: { kind: 'create-mode', flagsArg: 2, modeArg: 3 },
  // mknod(path, mode, dev), mknodat(dfd, path, mode, dev)
  mknod: { kind: 'node', arg: 1 },
  mknodat: { kind: 'node', arg: 2 },
  // renameat2(olddfd, old, newdfd, new, flags)
  renameat2: { kind: 'flags', arg: 4, mask: RENAME_WHITEOUT },
  // openat2 keeps its mode behind a pointer seccomp cannot read (libc falls back to openat on
  // ENOSYS); io_uring would run openat/mknodat without passing through this filter at all.
  openat2: { kind: 'unavailable' },
  io_uring_setup: { kind: 'unavailable' },
  io_uring_enter: { kind: 'unavailable' },
  io_uring_register: { kind: 'unavailable' },
} as const satisfies Record<string, Check>;

export type FilteredSyscall = keyof typeof CHECKS;

// One architecture the filter knows: its AUDIT_ARCH value and its syscall numbers.
export interface SeccompArch {
  name: 'x86_64' | 'aarch64';
  auditArch: number;
  // x86_64 also accepts x32-ABI syscalls (nr | 0x40000000) under the same AUDIT_ARCH.
  x32Bit: number | null;
  syscalls: Partial<Record<FilteredSyscall, number>>;
}

// Numbers from /usr/include/x86_64-linux-gnu/asm/unistd_64.h (fchmodat2: the kernel's
// syscall_64.tbl, 452 since Linux 6.6; newer than Debian 12's headers).
export const X86_64: SeccompArch = {
  name: 'x86_64',
  auditArch: 0xc000_003e, // EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
  x32Bit: 0x4000_0000,
  syscalls: {
    open: 2,
    creat: 85,
    chmod: 90,
    fchmod: 91,
    mknod: 133,
    openat: 257,
    mknodat: 259,
    fchmodat: 268,
    renameat2: 316,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    openat2: 437,
    fchmodat2: 452,
  },
};

// Numbers from the generic table (/usr/include/asm-generic/unistd.h), which arm64 uses; it has
// no legacy open/creat/chmod/mknod.
export const AARCH64: SeccompArch = {
  name: 'aarch64',
  auditArch: 0xc000_00b7, // EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
  x32Bit: null,
  syscalls: {
    mknodat: 33,
    fchmod: 52,
    fchmodat: 53,
    openat: 56,
    renameat2: 276,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    openat2: 437,
    fchmodat2: 452,
  },
};

// The filter's table for a Node process.arch, or null where Bastion has none (no filter then:
// the server warns at start and doctor warns; see docs/SANDBOX.md).
export function seccompArchFor(nodeArch: string): SeccompArch | null {
  if (nodeArch === 'x64') return X86_64;
  if (nodeArch === 'arm64') return AARCH64;
  return null;
}

function checkSteps(check: Check): BpfStep[] {
  const privileged = S_ISUID | S_ISGID;
  switch (check.kind) {
    case 'mode':
      return [
        { op: 'ld', offset: argLow(check.arg) },
        { op: 'jset', k: privileged, then: 'eperm', else: 'allow' },
      ];
    case 'create-mode':
      // Without O_CREAT/O_TMPFILE the mode argument is unused (often garbage): not checked.
      return [
        { op: 'ld', offset: argLow(check.flagsArg) },
        { op: 'jset', k: O_CREAT | O_TMPFILE_BIT, then: 'next', else: 'allow' },
        { op: 'ld', offset: argLow(check.modeArg) },
        { op: 'jset', k: privileged, then: 'eperm', else: 'allow' },
      ];
    case 'node':
      // FIFOs, sockets and plain files stay allowed; no setuid/setgid, no char/block device
      // (that includes the 0:0 whiteout the kernel lets anyone create).
      return [
        { op: 'ld', offset: argLow(check.arg) },
        { op: 'jset', k: privileged, then: 'eperm', else: 'next' },
        { op: 'and', k: S_IFMT },
        { op: 'jeq', k: S_IFCHR, then: 'eperm', else: 'next' },
        { op: 'jeq', k: S_IFBLK, then: 'eperm', else: 'allow' },
      ];
    case 'flags':
      return [
        { op: 'ld', offset: argLow(check.arg) },
        { op: 'jset', k: check.mask, then: 'eperm', else: 'allow' },
      ];
    case 'unavailable':
      return [{ op: 'ret', k: SECCOMP_RET_ERRNO | ENOSYS }];
  }
}

// The program as steps (exported for the unit tests' interpreter).
export function privilegeFilterSteps(arch: SeccompArch): BpfStep[] {
  const steps: BpfStep[] = [
    // Security: a syscall of another ABI (int 0x80 i386 calls on x86_64, arm32 compat on
    // aarch64) has other numbers and would slip past every check below: the process dies.
    { op: 'ld', offset: DATA_ARCH },
    { op: 'jeq', k: arch.auditArch, then: 'next', else: 'kill' },
    { op: 'ld', offset: DATA_NR },
  ];
  if (arch.x32Bit !== null) {
    // Security: x32 numbers (chmod is 90 | 0x40000000) share AUDIT_ARCH_X86_64; ENOSYS, as on
    // the kernels (most) that have x32 turned off.
    steps.push({ op: 'jge', k: arch.x32Bit, then: 'enosys', else: 'next' });
  }
  const entries = Object.entries(arch.syscalls) as [FilteredSyscall, number][];
  entries.forEach(([name, nr], i) => {
    const skip = `skip-${i}`;
    // The accumulator still holds nr whenever control reaches a rule's jeq: checks only return.
    steps.push({ op: 'jeq', k: nr, then: 'next', else: skip });
    steps.push(...checkSteps(CHECKS[name]));
    steps.push({ op: 'label', name: skip });
  });
  steps.push(
    { op: 'label', name: 'allow' },
    { op: 'ret', k: SECCOMP_RET_ALLOW },
    { op: 'label', name: 'eperm' },
    { op: 'ret', k: SECCOMP_RET_ERRNO | EPERM },
    { op: 'label', name: 'enosys' },
    { op: 'ret', k: SECCOMP_RET_ERRNO | ENOSYS },
    { op: 'label', name: 'kill' },
    { op: 'ret', k: SECCOMP_RET_KILL_PROCESS },
  );
  return steps;
}

// Security: the filter's bytes for bwrap --seccomp. Every early instruction can jump to the
// returns at the end, so a truncated copy has an out-of-range jump and the kernel refuses it
// (bwrap then fails the launch): a short read can never install half a filter.
export function buildPrivilegeFilter(arch: SeccompArch): Buffer {
  return encodeBpf(assembleBpf(privilegeFilterSteps(arch)));
}
