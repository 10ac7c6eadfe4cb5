import { InvalidInputError } from '../../errors/index.js';
import { TOKEN_SERVERS, type CreateTokenOptions, type TokenInfo } from '../types.js';
import { TOKEN_NAME_PATTERN, type TokenFile, type TokenRecord } from './token-file-schema.js';

// What `token list` and create/rotate return for a record: no hash.
export function toInfo(record: TokenRecord, lastUsedAt: string | undefined): TokenInfo {
  return {
    tokenName: record.name,
    servers: [...record.servers],
    readOnly: record.readOnly,
    createdAt: record.createdAt,
    ...(record.rotatedAt ? { rotatedAt: record.rotatedAt } : {}),
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    ...(lastUsedAt ? { lastUsedAt } : {}),
  };
}

// A new token's name: short and plain, since it shows up in audit records and metrics.
export function validateName(name: string): void {
  if (!TOKEN_NAME_PATTERN.test(name))
    throw new InvalidInputError(
      `expected a token name of 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit, got ${JSON.stringify(name.slice(0, 80))}`,
    );
}

// Scopes among TOKEN_SERVERS (at least one) and a positive whole lifetime.
export function validateOptions(options: CreateTokenOptions): void {
  if (options.servers.length === 0)
    throw new InvalidInputError('expected at least one server for the token, got none');
  const unknown = options.servers.filter((s) => !(TOKEN_SERVERS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `expected servers among ${TOKEN_SERVERS.join(', ')}, got ${JSON.stringify(unknown.join(','))}`,
    );
  const { expiresInMs } = options;
  if (expiresInMs !== undefined && (!Number.isSafeInteger(expiresInMs) || expiresInMs <= 0))
    throw new InvalidInputError(`expected a positive lifetime in ms, got ${expiresInMs}`);
}

// The id and record of the token with exactly this name.
export function findByName(data: TokenFile, name: string): [string, TokenRecord] | undefined {
  return Object.entries(data.tokens).find(([, record]) => record.name === name);
}

// The error for a name no token has.
export function unknownNameError(name: string): InvalidInputError {
  return new InvalidInputError(
    `expected the name of an existing token (see \`bastion token list\`), got ${JSON.stringify(name)}`,
  );
}
