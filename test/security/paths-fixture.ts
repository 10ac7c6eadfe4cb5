import { randomUUID } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/index.js';
import { LimitsSchema } from '../../src/config/index.js';
import { createPathGuard } from '../../src/policy/paths/index.js';
import type { PathGuard } from '../../src/policy/paths/index.js';

// A real temp tree with a root, a read-only root, a prefix sibling and an outside canary.
export interface PathsFixture {
  base: string;
  root: string;
  readOnlyRoot: string;
  rootEvil: string;
  outside: string;
  canary: string;
  secret: string;
  config: Pick<Config, 'roots' | 'deny' | 'limits'>;
  guard: PathGuard;
  cleanup(): void;
}

export const FIXTURE_DENY = ['**/.env', '**/.env.*', '**/*.pem', '**/.ssh/**'] as const;

// Build the tree; every secret is unique per run so a leak cannot be a coincidence.
export function createPathsFixture(limits: Partial<Config['limits']> = {}): PathsFixture {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bastion-paths-')));
  const secret = `CANARY-${randomUUID()}`;
  const root = path.join(base, 'root');
  const readOnlyRoot = path.join(base, 'ro');
  const rootEvil = path.join(base, 'root-evil');
  const outside = path.join(base, 'outside');
  for (const dir of [root, readOnlyRoot, rootEvil, outside, `${root}/a/b`, `${root}/nested/.ssh`]) {
    mkdirSync(dir, { recursive: true });
  }
  const canary = path.join(outside, 'secret.txt');
  writeFileSync(canary, secret);
  writeFileSync(path.join(rootEvil, 'secret.txt'), secret);
  writeFileSync(path.join(root, 'hello.txt'), 'hello');
  writeFileSync(path.join(root, 'a/file.txt'), 'in a');
  writeFileSync(path.join(root, '.env'), secret);
  writeFileSync(path.join(root, '.env.local'), secret);
  writeFileSync(path.join(root, 'cert.pem'), secret);
  writeFileSync(path.join(root, 'nested/.ssh/id_rsa'), secret);
  writeFileSync(path.join(readOnlyRoot, 'ro.txt'), 'read only');
  symlinkSync(canary, path.join(root, 'link-file-out'));
  symlinkSync(outside, path.join(root, 'link-dir-out'));
  symlinkSync(path.join(root, 'chain2'), path.join(root, 'chain1'));
  symlinkSync('chain3', path.join(root, 'chain2'));
  symlinkSync('../outside/secret.txt', path.join(root, 'chain3'));
  symlinkSync('loop2', path.join(root, 'loop1'));
  symlinkSync('loop1', path.join(root, 'loop2'));
  symlinkSync(path.join(outside, 'created-by-write.txt'), path.join(root, 'dangling-out'));
  symlinkSync(path.join(root, 'a/new-from-link.txt'), path.join(root, 'dangling-in'));
  symlinkSync('a', path.join(root, 'link-in'));
  symlinkSync('.env', path.join(root, 'innocent'));
  symlinkSync(rootEvil, path.join(root, 'link-evil'));
  const config = {
    roots: [
      { path: root, mode: 'read-write' as const },
      { path: readOnlyRoot, mode: 'read-only' as const },
    ],
    deny: [...FIXTURE_DENY],
    limits: { ...LimitsSchema.parse({}), ...limits },
  };
  return {
    base,
    root,
    readOnlyRoot,
    rootEvil,
    outside,
    canary,
    secret,
    config,
    guard: createPathGuard(config),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

// Read through the guard the way a tool would; returns the content or the refusal.
export async function readViaGuard(
  guard: PathGuard,
  rawPath: string,
): Promise<{ content?: string; error?: unknown }> {
  try {
    const opened = await guard.openForRead(rawPath);
    try {
      return { content: readFileSync(opened.handle.fd, 'utf8') };
    } finally {
      await opened.handle.close();
    }
  } catch (error) {
    return { error };
  }
}
