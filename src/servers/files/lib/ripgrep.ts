import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FileSystemError, InvalidInputError } from '../../../errors/index.js';

// One matching line with up to `contextLines` lines around it.
export interface ContentMatch {
  path: string;
  line: number;
  text: string;
  before?: string[];
  after?: string[];
}

// One content search as ripgrep runs it; every field is already validated by the caller.
export interface RipgrepSearch {
  rgPath: string;
  dir: string;
  // Search only this file of `dir` (a name, not a path).
  only?: string;
  pattern: string;
  literal: boolean;
  ignoreCase: boolean;
  include: readonly string[];
  exclude: readonly string[];
  deny: readonly string[];
  contextLines: number;
  maxFileBytes: number;
  timeoutMs: number;
  // `--sort path`: a stable order, but ripgrep then searches on one thread.
  sorted?: boolean;
}

const STDERR_CAP = 16 * 1024;
// Longest line rg returns whole; longer ones come back as a preview.
export const MAX_COLUMNS = 1000;

// Where ripgrep lives, or undefined. Looked up once per server from fixed places and PATH.
export function findRipgrep(envPath = process.env.PATH ?? ''): string | undefined {
  const candidates = [
    ...envPath.split(path.delimiter).filter((d) => path.isAbsolute(d)),
    '/usr/bin',
    '/usr/local/bin',
    '/opt/homebrew/bin',
  ];
  return candidates.map((dir) => path.join(dir, 'rg')).find((file) => existsSync(file));
}

// The argv for one search. Links are never followed, .gitignore never hides files (results must
// not depend on it), and deny globs come last so no include can re-admit a secret.
export function ripgrepArgs(search: RipgrepSearch): string[] {
  return [
    '--json',
    '--no-config',
    '--no-follow',
    '--hidden',
    '--no-ignore',
    '--no-messages',
    ...(search.sorted ? ['--sort', 'path'] : []),
    '--max-columns',
    String(MAX_COLUMNS),
    '--max-columns-preview',
    '--max-filesize',
    String(search.maxFileBytes),
    search.ignoreCase ? '--ignore-case' : '--case-sensitive',
    ...(search.literal ? ['--fixed-strings'] : []),
    ...(search.contextLines > 0 ? ['--context', String(search.contextLines)] : []),
    ...search.include.flatMap((glob) => ['--glob', glob]),
    ...search.exclude.flatMap((glob) => ['--glob', `!${glob}`]),
    // Security: deny patterns are excluded inside rg too (case-insensitively), not only post-filtered.
    ...search.deny.flatMap((glob) => ['--iglob', `!${glob}`]),
    '--regexp',
    search.pattern,
    // rg runs in the search directory on '.', so globs are relative to it like everywhere else.
    '--',
    search.only === undefined ? '.' : `./${search.only}`,
  ];
}

interface RgText {
  text?: string;
  bytes?: string;
}

function decodeRg(value: RgText | undefined): string {
  if (value?.text !== undefined) return value.text;
  return value?.bytes !== undefined ? Buffer.from(value.bytes, 'base64').toString('utf8') : '';
}

// Groups rg's match/context records of one file into matches with their context; a match is
// emitted as soon as its after-context is complete, so memory stays bounded.
class FileMatches {
  private readonly lines = new Map<number, string>();
  private readonly pending: number[] = [];

  constructor(
    private readonly file: string,
    private readonly contextLines: number,
    private readonly emit: (match: ContentMatch) => boolean,
  ) {}

  add(line: number, text: string, isMatch: boolean): boolean {
    this.lines.set(line, text);
    if (!this.flushBefore(line - this.contextLines)) return false;
    if (isMatch) this.pending.push(line);
    return this.flushBefore(line - this.contextLines);
  }

  finish(): boolean {
    return this.flushBefore(Number.POSITIVE_INFINITY);
  }

  private flushBefore(limit: number): boolean {
    while (this.pending.length > 0 && (this.pending[0] ?? 0) < limit) {
      const line = this.pending.shift() ?? 0;
      const around = (from: number, to: number): string[] => {
        const out: string[] = [];
        for (let n = from; n <= to; n += 1) {
          const text = this.lines.get(n);
          if (text !== undefined) out.push(text);
        }
        return out;
      };
      const c = this.contextLines;
      const match: ContentMatch = { path: this.file, line, text: this.lines.get(line) ?? '' };
      if (c > 0) {
        match.before = around(line - c, line - 1);
        match.after = around(line + 1, line + c);
      }
      for (const key of this.lines.keys()) if (key < line - c) this.lines.delete(key);
      if (!this.emit(match)) return false;
    }
    return true;
  }
}

// Run one ripgrep search; `accept` returns false to stop early (the process is killed). Resolves
// with whether the timeout cut the search. Invalid patterns become an InvalidInputError.
export function runRipgrep(
  search: RipgrepSearch,
  accept: (match: ContentMatch) => boolean,
): Promise<{ timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // Security: argv array, no shell, empty environment (no RIPGREP_CONFIG_PATH), output parsed
    // line by line and the process killed once enough was read or the timeout passes.
    const child = spawn(search.rgPath, ripgrepArgs(search), {
      cwd: search.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {},
    });
    let stopped = false;
    let timedOut = false;
    let stderr = '';
    let buffered = '';
    let current: FileMatches | undefined;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, search.timeoutMs);
    const handleLine = (line: string): void => {
      if (stopped || line === '') return;
      const record = JSON.parse(line) as {
        type: string;
        data: { path?: RgText; lines?: RgText; line_number?: number };
      };
      if (record.type === 'begin') {
        current = new FileMatches(
          path.join(search.dir, decodeRg(record.data.path)),
          search.contextLines,
          accept,
        );
      } else if ((record.type === 'match' || record.type === 'context') && current) {
        const text = decodeRg(record.data.lines).replace(/\r?\n$/, '');
        if (!current.add(record.data.line_number ?? 0, text, record.type === 'match')) stop();
      } else if (record.type === 'end' && current) {
        if (!current.finish()) stop();
        current = undefined;
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      try {
        let newline = buffered.indexOf('\n');
        while (newline !== -1 && !stopped) {
          handleLine(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
      } catch (err) {
        // Never let a parse problem escape as an uncaught exception that would end the server.
        stop();
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.slice(0, STDERR_CAP - stderr.length);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new FileSystemError(
          'RIPGREP_FAILED',
          `Content search could not start ripgrep (${(err as NodeJS.ErrnoException).code ?? 'error'}); try again or use search_files.`,
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!stopped && code === 2 && stderr.trim() !== '') {
        // rg's own message names the pattern problem (rg runs on '.', so no host path is in it).
        const message = stderr.trim().split('\n').slice(0, 12).join('\n');
        reject(
          new InvalidInputError(
            `Expected a valid search pattern, got an error from the regex engine:\n${message}`,
          ),
        );
        return;
      }
      resolve({ timedOut });
    });
  });
}
