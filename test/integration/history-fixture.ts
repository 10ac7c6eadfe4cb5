import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { isBastionTempName } from '../../src/policy/paths/index.js';
import { CLI_PATH, startServer, type StartedServer } from '../helpers/mcp-client.js';
import { makeTempDir } from './files-harness.js';

// A home and a root side by side (the history must never sit inside a root).
export interface HistoryDirs {
  home: string;
  root: string;
}

export function makeHistoryDirs(): HistoryDirs {
  return { home: makeTempDir('bastion-hist-home-'), root: makeTempDir('bastion-hist-root-') };
}

export function startFiles(dirs: HistoryDirs, extra: string[] = []): Promise<StartedServer> {
  return startServer({
    server: 'files',
    args: ['--root', dirs.root, '--home', dirs.home, ...extra],
  });
}

// Run the built CLI to the end (bounded) and return its output.
export function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Whole-second times, so a restored mtime compares exactly.
const OLD_TIME = 1_600_000_000;

// A nested tree with odd modes, binary content, an empty folder and a link, all with old times.
export function makeTree(dir: string): void {
  mkdirSync(path.join(dir, 'a/b/c'), { recursive: true });
  mkdirSync(path.join(dir, 'empty'));
  writeFileSync(path.join(dir, 'top.txt'), 'top\n');
  writeFileSync(path.join(dir, 'a/bin.dat'), Buffer.from([0, 255, 254, 10, 13, 0, 128]));
  writeFileSync(path.join(dir, 'a/b/c/deep.txt'), 'deep\n'.repeat(1000));
  writeFileSync(path.join(dir, 'a/b/script.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(path.join(dir, 'a/b/script.sh'), 0o751);
  chmodSync(path.join(dir, 'a/bin.dat'), 0o604);
  symlinkSync('../top.txt', path.join(dir, 'a/link'));
  chmodSync(path.join(dir, 'a/b'), 0o750);
  for (const rel of [
    'top.txt',
    'a/bin.dat',
    'a/b/c/deep.txt',
    'a/b/script.sh',
    'a/b/c',
    'a/b',
    'a',
    'empty',
  ])
    utimesSync(path.join(dir, rel), OLD_TIME, OLD_TIME + 7);
  utimesSync(dir, OLD_TIME, OLD_TIME + 9);
}

// Write a file with a given mode and an old whole-second mtime.
export function writeOld(file: string, content: string | Buffer, mode = 0o640): void {
  writeFileSync(file, content);
  chmodSync(file, mode);
  utimesSync(file, OLD_TIME, OLD_TIME + 3);
}

// Everything that identifies a tree byte for byte: per entry its kind, mode, mtime (not for the
// top, whose own entries change), content or link target. Bastion temp names are left out, as
// every listing leaves them out.
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (abs: string, rel: string, top: boolean): void => {
    let stat;
    try {
      stat = lstatSync(abs);
    } catch {
      out[rel] = 'absent';
      return;
    }
    const mode = (stat.mode & 0o7777).toString(8);
    const time = top ? '' : String(stat.mtimeMs);
    if (stat.isSymbolicLink()) out[rel] = `link ${readlinkSync(abs)}`;
    else if (stat.isFile())
      out[rel] = `file ${mode} ${time} ${readFileSync(abs).toString('base64')}`;
    else if (stat.isDirectory()) {
      out[rel] = `dir ${mode} ${time}`;
      for (const name of readdirSync(abs).sort()) {
        if (isBastionTempName(name)) continue;
        visit(path.join(abs, name), rel === '' ? name : `${rel}/${name}`, false);
      }
    } else out[rel] = 'other';
  };
  visit(dir, '', true);
  return out;
}
