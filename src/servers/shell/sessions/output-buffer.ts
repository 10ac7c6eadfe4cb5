import { StringDecoder } from 'node:string_decoder';

// What read_output hands back: the unread text and how many older bytes were dropped unread.
export interface BufferedOutput {
  text: string;
  droppedBytes: number;
}

// The unread output of one session, capped at `capacity` bytes: when a program writes faster than
// the agent reads, the oldest bytes are dropped and counted, so memory stays bounded.
export interface OutputBuffer {
  readonly unreadBytes: number;
  readonly totalBytes: number;
  push(chunk: Buffer): void;
  take(): BufferedOutput;
}

// Create an empty buffer holding at most `capacity` unread bytes.
export function createOutputBuffer(capacity: number): OutputBuffer {
  let chunks: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  let total = 0;
  // Keeps a multi-byte character split across two reads whole.
  const decoder = new StringDecoder('utf8');

  const dropFront = (excess: number): void => {
    let left = excess;
    while (left > 0 && chunks.length > 0) {
      const first = chunks[0] as Buffer;
      if (first.length <= left) {
        chunks.shift();
        left -= first.length;
      } else {
        chunks[0] = first.subarray(left);
        left = 0;
      }
    }
    size -= excess;
    dropped += excess;
  };

  return {
    get unreadBytes() {
      return size;
    },
    get totalBytes() {
      return total;
    },
    push(chunk) {
      total += chunk.length;
      // Security: never hold more than capacity, even for one huge chunk (output flood).
      const kept = chunk.length > capacity ? chunk.subarray(chunk.length - capacity) : chunk;
      dropped += chunk.length - kept.length;
      chunks.push(kept);
      size += kept.length;
      if (size > capacity) dropFront(size - capacity);
    },
    take() {
      const text = decoder.write(Buffer.concat(chunks));
      const out = { text, droppedBytes: dropped };
      chunks = [];
      size = 0;
      dropped = 0;
      return out;
    },
  };
}
