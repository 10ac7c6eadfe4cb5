import { StringDecoder } from 'node:string_decoder';

const PEEK_BYTES = 256;

// Splits a byte stream into newline-terminated lines in linear time. The SDK's reader copies and
// rescans its whole buffer on every chunk, which makes a 24 MB message take tens of seconds;
// here each byte is scanned once. Each chunk is decoded to text as it arrives and its buffer let
// go, so a line costs its text once plus one join, not chunks + concatenated copy + text.
export class LineFramer {
  private pieces: string[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private size = 0;
  // The line's first bytes, kept while it is read: an oversized line is answered from its ends.
  private head: Buffer = Buffer.alloc(0);
  // While a line is over the cap: its latest bytes (to find the request id), no more.
  private oversizedTail: Buffer | undefined;

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
      const line = this.finishLine();
      if (line !== undefined) lines.push(line);
      start = nl + 1;
    }
    this.append(chunk.subarray(start));
    return lines;
  }

  // At end of input: the last line when it had no newline (a client that wrote its final message
  // and closed stdin still gets it read and answered).
  end(): string[] {
    if (this.size === 0 && this.oversizedTail === undefined) return [];
    const line = this.finishLine();
    return line === undefined ? [] : [line];
  }

  private finishLine(): string | undefined {
    let line: string | undefined;
    if (this.oversizedTail) {
      this.onOversized(this.head, this.oversizedTail);
    } else {
      const rest = this.decoder.end();
      if (rest.length > 0) this.pieces.push(rest);
      line = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
      if (line.endsWith('\r')) line = line.slice(0, -1);
    }
    this.pieces = [];
    this.size = 0;
    this.head = Buffer.alloc(0);
    this.oversizedTail = undefined;
    return line;
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.head.length < PEEK_BYTES) {
      this.head = Buffer.concat([this.head, piece.subarray(0, PEEK_BYTES - this.head.length)]);
    }
    if (this.oversizedTail) {
      this.oversizedTail = Buffer.concat([this.oversizedTail, piece]).subarray(-PEEK_BYTES);
      return;
    }
    if (this.size + piece.length > this.maxLineBytes) {
      // Security: a line past the cap is dropped as it streams, so memory stays bounded.
      this.oversizedTail = Buffer.from(piece.subarray(-PEEK_BYTES));
      this.pieces = [];
      this.size = 0;
      this.decoder.end();
      return;
    }
    this.pieces.push(this.decoder.write(piece));
    this.size += piece.length;
  }
}
