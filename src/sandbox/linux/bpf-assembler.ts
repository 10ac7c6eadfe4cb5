// A tiny classic-BPF assembler for seccomp filters: the few instructions a syscall filter
// needs, forward jumps by label, encoded as the kernel's struct sock_filter array.

// Opcode parts from <linux/bpf_common.h>.
const BPF_LD = 0x00;
const BPF_ALU = 0x04;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_W = 0x00;
const BPF_ABS = 0x20;
const BPF_AND = 0x50;
const BPF_JEQ = 0x10;
const BPF_JGE = 0x30;
const BPF_JSET = 0x40;
const BPF_K = 0x00;

export const BPF_OPCODES = {
  ldAbsW: BPF_LD | BPF_W | BPF_ABS,
  andK: BPF_ALU | BPF_AND | BPF_K,
  jeqK: BPF_JMP | BPF_JEQ | BPF_K,
  jgeK: BPF_JMP | BPF_JGE | BPF_K,
  jsetK: BPF_JMP | BPF_JSET | BPF_K,
  retK: BPF_RET | BPF_K,
} as const;

// Size of one struct sock_filter: u16 code, u8 jt, u8 jf, u32 k.
export const BPF_INSN_BYTES = 8;
// The kernel's limit on one classic program (BPF_MAXINSNS).
const BPF_MAX_INSNS = 4096;

// A jump target: a label defined later, or 'next' (fall through to the next instruction).
export type BpfTarget = string;

// One step of a program; labels take no space.
export type BpfStep =
  | { op: 'ld'; offset: number }
  | { op: 'and'; k: number }
  | { op: 'jeq' | 'jge' | 'jset'; k: number; then: BpfTarget; else: BpfTarget }
  | { op: 'ret'; k: number }
  | { op: 'label'; name: string };

export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

function toUint32(k: number): number {
  if (!Number.isInteger(k) || k < 0 || k > 0xffff_ffff)
    throw new RangeError(`expected a u32 constant, got ${k}`);
  return k >>> 0;
}

// Resolve labels to relative offsets. Classic BPF jumps only forward, by at most 255.
export function assembleBpf(steps: readonly BpfStep[]): BpfInsn[] {
  const labels = new Map<string, number>();
  let count = 0;
  for (const step of steps) {
    if (step.op !== 'label') count += 1;
    else if (labels.has(step.name)) throw new Error(`duplicate BPF label ${step.name}`);
    else labels.set(step.name, count);
  }
  if (count === 0 || count > BPF_MAX_INSNS)
    throw new RangeError(`expected 1..${BPF_MAX_INSNS} instructions, got ${count}`);
  const insns: BpfInsn[] = [];
  const offsetTo = (target: BpfTarget, at: number): number => {
    if (target === 'next') return 0;
    const dest = labels.get(target);
    if (dest === undefined) throw new Error(`undefined BPF label ${target}`);
    const offset = dest - at - 1;
    if (offset < 0 || offset > 255)
      throw new RangeError(`BPF jump to ${target} out of range (${offset})`);
    return offset;
  };
  for (const step of steps) {
    const at = insns.length;
    switch (step.op) {
      case 'label':
        break;
      case 'ld':
        insns.push({ code: BPF_OPCODES.ldAbsW, jt: 0, jf: 0, k: toUint32(step.offset) });
        break;
      case 'and':
        insns.push({ code: BPF_OPCODES.andK, jt: 0, jf: 0, k: toUint32(step.k) });
        break;
      case 'jeq':
      case 'jge':
      case 'jset':
        insns.push({
          code: BPF_OPCODES[`${step.op}K`],
          jt: offsetTo(step.then, at),
          jf: offsetTo(step.else, at),
          k: toUint32(step.k),
        });
        break;
      case 'ret':
        insns.push({ code: BPF_OPCODES.retK, jt: 0, jf: 0, k: toUint32(step.k) });
        break;
    }
  }
  const last = insns[insns.length - 1];
  // The kernel refuses a program that does not end in a return; so do we, earlier.
  if (last?.code !== BPF_OPCODES.retK) throw new Error('expected the program to end in ret');
  return insns;
}

// struct sock_filter[] in little-endian byte order (x86_64 and aarch64 are both little-endian).
export function encodeBpf(insns: readonly BpfInsn[]): Buffer {
  const buf = Buffer.alloc(insns.length * BPF_INSN_BYTES);
  insns.forEach((insn, i) => {
    const at = i * BPF_INSN_BYTES;
    buf.writeUInt16LE(insn.code, at);
    buf.writeUInt8(insn.jt, at + 2);
    buf.writeUInt8(insn.jf, at + 3);
    buf.writeUInt32LE(insn.k, at + 4);
  });
  return buf;
}
