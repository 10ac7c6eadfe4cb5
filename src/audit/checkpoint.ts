import { createHash, sign, verify, type KeyObject } from 'node:crypto';

export const CHECKPOINT_FILE_NAME = 'audit-checkpoints.jsonl';

// Why a checkpoint was written. `close` says the stream ended cleanly: it must have exactly
// `count` records, so a cut tail of a closed stream is found. `rotate` says the stream left the
// rotated file `file`: its records there end at `count` (head `head`), none come after.
export type CheckpointReason = 'start' | 'count' | 'interval' | 'close' | 'rotate';

// A signed statement "stream S had `count` records, the last with hash `head`", chained per
// stream by `n` and `prev` so a dropped checkpoint is found too.
export interface CheckpointBody {
  stream: string;
  n: number;
  prev: string;
  count: number;
  head: string;
  keyed: boolean;
  reason: CheckpointReason;
  // With `rotate`: the rotated file's name in the log folder, and the stream's first seq in it
  // (its records `from`..`count - 1` are there; none when `from` = `count`).
  file?: string;
  from?: number;
  time: string;
}

export interface Checkpoint extends CheckpointBody {
  sig: string;
}

export function signCheckpoint(body: CheckpointBody, key: KeyObject): Checkpoint {
  const sig = sign(null, Buffer.from(JSON.stringify(body)), key).toString('base64');
  return { ...body, sig };
}

export function isSignatureValid(checkpoint: Checkpoint, key: KeyObject): boolean {
  const { sig, ...body } = checkpoint;
  try {
    return verify(null, Buffer.from(JSON.stringify(body)), key, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

// What the next checkpoint of a stream chains to.
export function checkpointDigest(checkpoint: Checkpoint): string {
  return createHash('sha256').update(JSON.stringify(checkpoint)).digest('hex');
}
