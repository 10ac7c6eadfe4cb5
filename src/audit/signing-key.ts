import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';
export const PUBLIC_KEY_FILE = 'audit-signing-key.pub.pem';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

// The Ed25519 key that signs checkpoints, created on first use (private key 0600). Two servers
// starting at once both try; the link() makes exactly one key pair win and both read it.
export function loadOrCreateSigningKey(dir: string): SigningKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, SIGNING_KEY_FILE);
  if (!existsSync(file)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      linkSync(temp, file);
      writeFileSync(
        path.join(dir, PUBLIC_KEY_FILE),
        publicKey.export({ type: 'spki', format: 'pem' }),
        { mode: 0o644 },
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temp);
    }
  }
  const privateKey = createPrivateKey(readFileSync(file));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

// The key a verifier checks checkpoints with: the public key file (which can be kept elsewhere),
// else the one derived from the private key; null when no key was ever made here.
export function loadPublicKey(dir: string, publicKeyFile?: string): KeyObject | null {
  if (publicKeyFile) return createPublicKey(readFileSync(publicKeyFile));
  const pub = path.join(dir, PUBLIC_KEY_FILE);
  if (existsSync(pub)) return createPublicKey(readFileSync(pub));
  const priv = path.join(dir, SIGNING_KEY_FILE);
  if (existsSync(priv)) return createPublicKey(createPrivateKey(readFileSync(priv)));
  return null;
}
