import path from 'node:path';

// Where the hub and `bastion token` agree the token file lives: <stateDir>/auth/tokens.json.
export function tokenFilePath(stateDir: string): string {
  return path.join(stateDir, 'auth', 'tokens.json');
}

// The side file that records when each token was last used, beside the token file, so that
// verifying a token never rewrites the token file itself.
export function lastUsedFilePath(tokenFile: string): string {
  return path.join(path.dirname(tokenFile), 'tokens.last-used.json');
}

// The lock file that serialises writers of the token file (two CLIs, a CLI and a hub).
export function lockFilePath(tokenFile: string): string {
  return `${tokenFile}.lock`;
}
