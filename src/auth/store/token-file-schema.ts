import { z } from 'zod';
import { TOKEN_SERVERS } from '../types.js';

// Token names: shown in audit records, metrics and `token list`, so short and plain.
export const TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

const IsoTimeSchema = z.iso.datetime();

// One token as the file keeps it: never the secret, only its sha256.
export const TokenRecordSchema = z
  .object({
    name: z.string().regex(TOKEN_NAME_PATTERN),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    servers: z.array(z.enum(TOKEN_SERVERS)).min(1),
    readOnly: z.boolean(),
    createdAt: IsoTimeSchema,
    rotatedAt: IsoTimeSchema.optional(),
    expiresAt: IsoTimeSchema.optional(),
  })
  .strict();
export type TokenRecord = z.infer<typeof TokenRecordSchema>;

// <stateDir>/auth/tokens.json: records keyed by token id (the hex part of bst_<id>_<secret>).
export const TokenFileSchema = z
  .object({
    version: z.literal(1),
    tokens: z.record(z.string().regex(/^[0-9a-f]{16}$/), TokenRecordSchema),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const record of Object.values(file.tokens)) {
      const key = record.name.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', message: `duplicate token name ${record.name}` });
      seen.add(key);
    }
  });
export type TokenFile = z.infer<typeof TokenFileSchema>;

// tokens.last-used.json: token id -> ISO time of its last successful verify.
export const LastUsedFileSchema = z.record(z.string().regex(/^[0-9a-f]{16}$/), IsoTimeSchema);
export type LastUsedFile = z.infer<typeof LastUsedFileSchema>;

// The file a store starts from when none exists yet.
export function emptyTokenFile(): TokenFile {
  return { version: 1, tokens: {} };
}
