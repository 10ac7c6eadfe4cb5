const PEEK_BYTES = 256;

// Splits a byte stream into newline-terminated lines in linear time. The SDK's reader copies and
// rescans its whole buffer on every chunk, which makes a 24 MB message take tens of seconds;
// here each byte is scanned once and copied once.
export class LineFramer {
  private chunks: Buffer[] = [];
  private size = 0;
  // While a line is over the cap: its first and latest bytes (to find the request id), no more.
  private oversized: { head: Buffer; tail: Buffer } | undefined;

  constructor(
    private readonly maxLineBytes: number,
    // Called once per line over the cap, when it ends, with its first and last bytes.
    private readonly onOversized: (head: Buffer, tail: Buffer) => void,
  ) {}

  // Feed one chunk; returns the complete lines it finished (without the newline).
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.append(chunk.subarray(start, nl));
      if (this.oversized) {
        this.onOversized(this.oversized.head, this.oversized.tail);
      } else {
        const line = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
        lines.push(line.toString('utf8').replace(/\r$/, ''));
      }
      this.chunks = [];
      this.size = 0;
      this.oversized = undefined;
      start = nl + 1;
    }
    this.append(chunk.subarray(start));
    return lines;
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.oversized) {
      this.oversized.tail = Buffer.concat([this.oversized.tail, piece]).subarray(-PEEK_BYTES);
      return;
    }
    if (this.size + piece.length > this.maxLineBytes) {
      // Security: a line past the cap is dropped as it streams, so memory stays bounded.
      const all = Buffer.concat([...this.chunks, piece.subarray(0, PEEK_BYTES)]);
      this.oversized = { head: all.subarray(0, PEEK_BYTES), tail: piece.subarray(-PEEK_BYTES) };
      this.chunks = [];
      this.size = 0;
      return;
    }
    this.chunks.push(piece);
    this.size += piece.length;
  }
}
