import { statSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../../errors/index.js';
import type { Principal, TokenStore } from '../types.js';
import { withFileLock } from './file-lock.js';
import { createLastUsedRecorder } from './last-used-recorder.js';
import {
  ensurePrivateDirectory,
  parseJsonFile,
  readTextIfPresent,
  validatePrivateFile,
  writePrivateFileAtomic,
} from './private-file.js';
import { lockFilePath } from './token-file-path.js';
import {
  emptyTokenFile,
  TokenFileSchema,
  type TokenFile,
  type TokenRecord,
} from './token-file-schema.js';
import {
  findByName,
  toInfo,
  unknownNameError,
  validateName,
  validateOptions,
} from './token-records.js';
import { generateToken, hashSecret, isSecretMatch, parseTokenString } from './token-secret.js';

export { tokenFilePath } from './token-file-path.js';

// A running hub re-checks the file's identity at most this often, so a CLI change is seen
// within ~1 s (the port promises 2 s) at the cost of one stat per second.
const RELOAD_CHECK_MS = 1000;

export interface FileTokenStoreOptions {
  // <stateDir>/auth/tokens.json (tokenFilePath).
  file: string;
  // The clock for expiry, creation times and the reload check; Date.now by default.
  now?: () => number;
  // How long a write waits for another writer's lock before failing (default 5 s).
  lockTimeoutMs?: number;
  // A failed background write of last-use times (the hub logs it); ignored by default.
  onError?: (err: unknown) => void;
}

interface Snapshot {
  // mtime, ctime, size and inode: any write by rename changes at least one of them.
  stamp: string;
  data: TokenFile;
}

function stampOf(stat: BigIntStats | undefined): string {
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}` : 'absent';
}

function statIfPresent(file: string): BigIntStats | undefined {
  try {
    return statSync(file, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// Runs `action` now; a throw becomes a rejection, as callers of an async port expect.
function attempt<T>(action: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(action());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

// The embedded token store: one JSON file of hashes shared by the CLI (writer) and the hub
// (reader), re-read when it changes, written under a lock and atomically.
export function createFileTokenStore(options: FileTokenStoreOptions): TokenStore {
  const { file } = options;
  const now = options.now ?? Date.now;
  const lockFile = lockFilePath(file);
  let snapshot: Snapshot | undefined;
  let checkedAt = -Infinity;
  let failure: { stamp: string; error: unknown } | undefined;

  // The file as it is on disk now, read again only when its identity changed.
  const readFresh = (): TokenFile => {
    const stat = statIfPresent(file);
    const stamp = stampOf(stat);
    if (snapshot?.stamp === stamp) return snapshot.data;
    if (failure?.stamp === stamp) throw failure.error;
    try {
      if (stat) validatePrivateFile(file, stat);
      const text = stat ? readTextIfPresent(file) : undefined;
      const data =
        text === undefined
          ? emptyTokenFile()
          : parseJsonFile(file, text, TokenFileSchema, 'a token file');
      snapshot = { stamp, data };
      failure = undefined;
      return data;
    } catch (error) {
      // Security: fail closed. A damaged token file refuses every token (with this error)
      // rather than being taken as empty or as its last good version, which may hold a
      // token since revoked.
      snapshot = undefined;
      failure = { stamp, error };
      throw error;
    }
  };

  // What verify uses: the cached file, checked against the disk at most once a second.
  const readCached = (): TokenFile => {
    const at = now();
    if (snapshot && at - checkedAt < RELOAD_CHECK_MS && at >= checkedAt) return snapshot.data;
    checkedAt = at;
    return readFresh();
  };

  // Ids still in the file, so the side file forgets revoked and rotated ones; undefined (keep
  // all) while the file cannot be read.
  const liveIds = (): ReadonlySet<string> | undefined =>
    snapshot ? new Set(Object.keys(snapshot.data.tokens)) : undefined;
  const onError = options.onError ?? (() => undefined);
  const lastUsed = createLastUsedRecorder(file, liveIds, onError);

  // Read-modify-write under the lock, from the file as it is now (not the cache).
  const mutate = async <T>(change: (data: TokenFile) => T): Promise<T> => {
    ensurePrivateDirectory(path.dirname(file));
    const lockOptions =
      options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {};
    return withFileLock(
      lockFile,
      () => {
        const current = readFresh();
        const next: TokenFile = { version: 1, tokens: { ...current.tokens } };
        const result = change(next);
        const checked = TokenFileSchema.parse(next);
        writePrivateFileAtomic(file, `${JSON.stringify(checked, null, 2)}\n`);
        checkedAt = -Infinity;
        return result;
      },
      lockOptions,
    );
  };

  const issue = (data: TokenFile, record: Omit<TokenRecord, 'hash'>) => {
    let generated = generateToken();
    while (data.tokens[generated.id]) generated = generateToken();
    const full: TokenRecord = { ...record, hash: hashSecret(generated.secret) };
    data.tokens[generated.id] = full;
    return { secret: generated.token, info: toInfo(full, undefined) };
  };

  return {
    create(name, createOptions) {
      return attempt(() => {
        validateName(name);
        validateOptions(createOptions);
        return mutate((data) => {
          const clash = Object.values(data.tokens).find(
            (r) => r.name.toLowerCase() === name.toLowerCase(),
          );
          if (clash)
            throw new InvalidInputError(
              `expected a new token name, got ${JSON.stringify(name)}, which exists (rotate or revoke it)`,
            );
          const at = now();
          return issue(data, {
            name,
            servers: [...new Set(createOptions.servers)],
            readOnly: createOptions.readOnly,
            createdAt: new Date(at).toISOString(),
            ...(createOptions.expiresInMs !== undefined
              ? { expiresAt: new Date(at + createOptions.expiresInMs).toISOString() }
              : {}),
          });
        });
      });
    },

    list() {
      return attempt(() => {
        const data = readFresh();
        const used = lastUsed.read();
        return Object.entries(data.tokens)
          .map(([id, record]) => toInfo(record, used[id]))
          .sort((a, b) => a.tokenName.localeCompare(b.tokenName));
      });
    },

    revoke(name) {
      return mutate((data) => {
        const found = findByName(data, name);
        if (found) delete data.tokens[found[0]];
        return found !== undefined;
      });
    },

    rotate(name) {
      return mutate((data) => {
        const found = findByName(data, name);
        if (!found) throw unknownNameError(name);
        const [oldId, record] = found;
        // Security: a leaked secret dies with its id; the new one shares nothing with it.
        delete data.tokens[oldId];
        return issue(data, { ...record, rotatedAt: new Date(now()).toISOString() });
      });
    },

    verify(raw) {
      return attempt((): Principal | undefined => {
        const parts = parseTokenString(raw);
        if (!parts) return undefined;
        let data = readCached();
        // An id the cached file lacks may belong to a token made within the reload window:
        // look at the disk again (one stat, and a read only when the file changed; each such
        // refusal also spends from the guessing budget), so a new token works at once.
        // Revocations still take up to the window.
        if (!Object.hasOwn(data.tokens, parts.id)) data = readFresh();
        const record = Object.hasOwn(data.tokens, parts.id) ? data.tokens[parts.id] : undefined;
        if (!isSecretMatch(parts.secret, record?.hash) || !record) return undefined;
        const at = now();
        // Security: a leaked old token. Expiry is checked on every request, against the clock.
        if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= at) return undefined;
        lastUsed.record(parts.id, at);
        return { tokenName: record.name, servers: [...record.servers], readOnly: record.readOnly };
      });
    },

    close() {
      // Last-use times are a convenience: failing to write them must not fail a hub's stop.
      try {
        lastUsed.flush(liveIds());
      } catch (err) {
        onError(err);
      }
      return Promise.resolve();
    },
  };
}
