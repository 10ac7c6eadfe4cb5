import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../integration/files-harness.js';
import { attack, createCanaryWorld, expectNoLeak, type CanaryWorld } from './files-canary.js';

let w: CanaryWorld;

beforeAll(async () => {
  w = await createCanaryWorld();
});

afterAll(async () => {
  await w.close();
});

describe('search arguments are data, never options', () => {
  it('[FS-ARG-01] option-looking patterns and globs do not run commands or widen the search', async () => {
    const marker = path.join(w.outside, 'pwned-marker');
    const hostile = [
      { pattern: `--pre=/usr/bin/touch` },
      { pattern: 'x', include: [`--pre=/usr/bin/touch ${marker}`] },
      { pattern: 'x', exclude: ['--follow', `--pre=${marker}`] },
      { pattern: '-e', include: ['--no-config'] },
      { pattern: 'CANARY', include: ['../**', `${w.outside}/**`, '/**'] },
      { pattern: 'CANARY', literal: true, exclude: ['!**'] },
    ];
    for (const args of hostile) {
      const result = await attack(w, 'search_file_contents', { path: '.', ...args });
      expectNoLeak(w, result);
      expect(textOf(result)).not.toContain('secret.txt');
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(w.root, 'pwned-marker'))).toBe(false);
    const files = await attack(w, 'search_files', { path: '.', pattern: '../**' });
    expectNoLeak(w, files);
    expect(textOf(files)).toBe('No matches found');
  });

  it('searches one file when given a file path', async () => {
    const result = await attack(w, 'search_file_contents', { path: 'ok.txt', pattern: 'hel+o' });
    expect(textOf(result)).toBe(`${path.join(w.root, 'ok.txt')}:1:hello`);
  });
});

describe('the audit log keeps no secret the agent sends', () => {
  it('[FS-AUD-01] private keys and tokens in write_file and edit_file content are redacted, long content cut', async () => {
    const body = `b3BlbnNzaC1rZXktdjE${Date.now()}AAAAAAAAAAAAAAAAAA`;
    const token = `github_pat_${Date.now()}abcdefghijklmnopqrstuvwxyz`;
    const pgp = `lQdGBF${Date.now()}PGPBODY`;
    await attack(w, 'write_file', {
      path: 'key.txt',
      content: `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`,
    });
    await attack(w, 'write_file', {
      path: 'pgp.txt',
      content: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n${pgp}\n-----END PGP PRIVATE KEY BLOCK-----\n`,
    });
    await attack(w, 'write_file', { path: 'cfg.yml', content: `token: ${token}\n` });
    await attack(w, 'edit_file', {
      path: 'cfg.yml',
      edits: [{ oldText: 'token', newText: `url: https://me:${pgp}@host/x\ntoken` }],
    });
    await attack(w, 'write_file', { path: 'big.txt', content: 'z'.repeat(100_000) });
    const audit = readFileSync(path.join(w.server.auditDir, 'audit.jsonl'), 'utf8');
    for (const secret of [body, token, pgp]) expect(audit).not.toContain(secret);
    expect(audit).toContain('[REDACTED]');
    expect(audit).not.toContain('z'.repeat(10_000));
  });
});
