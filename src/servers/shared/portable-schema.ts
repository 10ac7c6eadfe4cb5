import { z } from 'zod';

// A string or null, written as `anyOf` branches of one `type` each. zod writes `.nullable()` of a
// plain string as `type: ["string", "null"]`, which clients mapping tool schemas onto a
// single-`type` dialect (the OpenAPI subset behind Gemini function declarations) reject; the
// Inspector's --strict portability check warns on it. A described branch is not merged.
export function nullableString(description: string) {
  return z.union([z.string().describe(description), z.null()]).describe(description);
}
