import type { CappedText } from './types.js';

// Keeps the first and last maxBytes/2 of a stream and counts the rest, in O(maxBytes) memory.
export class OutputCapper {
  readonly #headMax: number;
  readonly #tailMax: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(maxBytes: number) {
    const max = Math.max(0, Math.floor(maxBytes));
    this.#headMax = Math.ceil(max / 2);
    this.#tailMax = max - this.#headMax;
  }

  get totalBytes(): number {
    return this.#total;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headBytes < this.#headMax) {
      const take = Math.min(this.#headMax - this.#headBytes, rest.length);
      this.#head.push(Buffer.from(rest.subarray(0, take)));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.#tailMax === 0) return;
    // Security: the tail never grows past tailMax, so a flood cannot exhaust server memory.
    if (rest.length >= this.#tailMax) {
      this.#tail = [Buffer.from(rest.subarray(rest.length - this.#tailMax))];
      this.#tailBytes = this.#tailMax;
      return;
    }
    this.#tail.push(Buffer.from(rest));
    this.#tailBytes += rest.length;
    while (this.#tailBytes > this.#tailMax) {
      const first = this.#tail[0];
      if (first === undefined) break;
      const excess = this.#tailBytes - this.#tailMax;
      if (first.length <= excess) {
        this.#tail.shift();
        this.#tailBytes -= first.length;
      } else {
        this.#tail[0] = first.subarray(excess);
        this.#tailBytes -= excess;
      }
    }
  }

  result(): CappedText {
    const kept = this.#headBytes + this.#tailBytes;
    const omitted = this.#total - kept;
    if (omitted <= 0) {
      const text = Buffer.concat([...this.#head, ...this.#tail]).toString('utf8');
      return { text, totalBytes: this.#total, truncated: false };
    }
    const head = Buffer.concat(this.#head).toString('utf8');
    const tail = Buffer.concat(this.#tail).toString('utf8');
    return {
      text: `${head}\n[... ${omitted} bytes omitted ...]\n${tail}`,
      totalBytes: this.#total,
      truncated: true,
    };
  }
}

// Cap a complete text the same way run() caps a stream.
export function capText(text: string | Buffer, maxBytes: number): CappedText {
  const capper = new OutputCapper(maxBytes);
  capper.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  return capper.result();
}
