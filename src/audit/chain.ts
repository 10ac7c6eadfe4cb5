import * as crypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';
import type { AuditRecord } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

// The hash of a record is the sha256 of its body serialised without `hash` and `mac`; the body
// holds `prev`, so each record commits to every record before it in its stream.
// crypto.hash (Node 20.12+) is the one-shot form, several times cheaper for short inputs.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array) => string })
  .hash;

// `bodyJson`: the body's JSON as a string, or as the bytes of a log line (verification).
export function hashBodyJson(bodyJson: string | Uint8Array): string {
  return oneShot
    ? oneShot('sha256', bodyJson)
    : createHash('sha256').update(bodyJson).digest('hex');
}

export function hashRecord(record: AuditRecord): string {
  const body: Partial<AuditRecord> = { ...record };
  delete body.hash;
  delete body.mac;
  return hashBodyJson(JSON.stringify(body));
}

// The first key of a stream, derived from BASTION_AUDIT_KEY and the stream id, so each stream
// has its own sequence and the master key never has to stay in memory.
export function initialStreamKey(masterKey: string, stream: string): Buffer {
  return createHmac('sha256', masterKey).update(`bastion-audit-v1/${stream}`).digest();
}

// Forward-secure evolution: k(i+1) = sha256(k(i)). The writer keeps only the current key, so a
// key read from a live process cannot produce the MAC of any record it already wrote.
export function nextKey(key: Buffer): Buffer {
  return createHash('sha256').update(key).digest();
}

export function macOf(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

// The per-stream key schedule a verifier walks: keyAt(seq) derives forward from the last seq asked.
export function createKeySchedule(masterKey: string, stream: string): (seq: number) => Buffer {
  const initial = initialStreamKey(masterKey, stream);
  let seq = 0;
  let key = initial;
  return (wanted) => {
    if (wanted < seq) {
      seq = 0;
      key = initial;
    }
    while (seq < wanted) {
      key = nextKey(key);
      seq += 1;
    }
    return key;
  };
}
