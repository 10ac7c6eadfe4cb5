// The auth port: tokens and rate-limit counters behind one small interface, so that a shared
// backend for several hubs (Redis) is a new store, not a change to the HTTP middleware.
// No HTTP in here: the transport's middleware turns these answers into 401/403/429.

// The servers a token may be scoped to; a token scoped to none of them is refused at creation.
export const TOKEN_SERVERS = ['files', 'shell', 'dashboard'] as const;
export type TokenServer = (typeof TOKEN_SERVERS)[number];

// Who is calling: what a verified token resolves to. Carried into every audit record.
export interface Principal {
  // The token's name (unique in a store); never the secret.
  readonly tokenName: string;
  readonly servers: readonly TokenServer[];
  // Only tools whose readOnlyHint is true are listed and callable.
  readonly readOnly: boolean;
}

// What `token list` shows: everything but the secret and its hash.
export interface TokenInfo extends Principal {
  readonly createdAt: string;
  // ISO time of the last `token rotate`; absent = never rotated.
  readonly rotatedAt?: string;
  // ISO time; absent = never expires.
  readonly expiresAt?: string;
  readonly lastUsedAt?: string;
}

export interface CreateTokenOptions {
  servers: readonly TokenServer[];
  readOnly: boolean;
  // Lifetime in ms from now; absent = never expires.
  expiresInMs?: number;
}

// The token store. Secrets are shown once (create, rotate) and only their hash is kept.
export interface TokenStore {
  // Throws when the name exists or is invalid. Returns the secret, to be printed once.
  create(name: string, options: CreateTokenOptions): Promise<{ secret: string; info: TokenInfo }>;
  list(): Promise<TokenInfo[]>;
  // false when no token has that name.
  revoke(name: string): Promise<boolean>;
  // A new secret for the same name and scopes; the old one stops working. Throws when absent.
  rotate(name: string): Promise<{ secret: string; info: TokenInfo }>;
  // The principal of a valid, unexpired, unrevoked token, else undefined. Constant-time compare.
  // Changes made by another process (the CLI) are seen within 2 seconds.
  verify(secret: string): Promise<Principal | undefined>;
  close(): Promise<void>;
}

// One decision of the rate limiter.
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

// Rate-limit counters: requests per minute and calls in flight, per key (a token name, or a
// client address for requests without a valid token).
export interface RateLimitStore {
  // Count one request against `key`'s budget of `perMinute`.
  hit(key: string, perMinute: number): Promise<RateDecision>;
  // Take one of `max` concurrent slots for `key`; the returned release gives it back (idempotent).
  acquire(key: string, max: number): Promise<(() => void) | undefined>;
  close(): Promise<void>;
}
