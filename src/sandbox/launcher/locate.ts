import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// src/sandbox/launcher (tests) or dist/sandbox/launcher (the build): the install is 3 levels up.
const INSTALL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// Where `npm run setup` (scripts/build-native.sh) puts the compiled native/launcher.c.
export const LAUNCHER_BINARY = path.join(INSTALL_DIR, 'dist', 'native', 'bastion-launcher');

// The launcher binary if it was built, else null (commands then start the slower way).
export function findLauncher(binary: string = LAUNCHER_BINARY): string | null {
  if (process.platform !== 'linux') return null;
  try {
    accessSync(binary, constants.X_OK);
    return binary;
  } catch {
    return null;
  }
}

// The exec guard (native/exec-guard.c) that applies the exec rules inside the sandbox.
export const EXEC_GUARD_BINARY = path.join(INSTALL_DIR, 'dist', 'native', 'bastion-exec-guard');
