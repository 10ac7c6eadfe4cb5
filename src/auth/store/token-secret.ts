import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// bst_<id>_<secret>: the id (16 hex chars) finds the record, the secret (32 random bytes,
// base64url: 43 chars, which may contain '_') is what is checked. The fixed id length makes
// the split unambiguous.
const TOKEN_PATTERN = /^bst_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const ID_BYTES = 8;
const SECRET_BYTES = 32;
// Compared against when the id is unknown, so an unknown id costs the same as a wrong secret.
const DUMMY_HASH = Buffer.alloc(32);

// The two parts of a well-formed token string.
export interface TokenParts {
  id: string;
  secret: string;
}

// A fresh token: a random id and a random secret, and the string the user is shown once.
export function generateToken(): TokenParts & { token: string } {
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, secret, token: `bst_${id}_${secret}` };
}

// Splits a presented token string; undefined when it does not have the shape Bastion issues.
export function parseTokenString(raw: string): TokenParts | undefined {
  // Security: oversized input. The shape is fixed-length, so anything longer is refused before
  // any matching or hashing.
  if (raw.length !== 4 + 16 + 1 + 43) return undefined;
  const match = TOKEN_PATTERN.exec(raw);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

// What the token file keeps instead of the secret: sha256, hex.
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

// Whether `secret` hashes to `storedHash` (undefined: unknown id, compared against a dummy).
export function isSecretMatch(secret: string, storedHash: string | undefined): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const stored = storedHash === undefined ? DUMMY_HASH : Buffer.from(storedHash, 'hex');
  // Security: timing side channel. Equal-length hashes compared in constant time, also when
  // the id is unknown, so response times reveal neither valid ids nor secret prefixes.
  const equal = stored.length === presented.length && timingSafeEqual(stored, presented);
  return equal && storedHash !== undefined;
}
