import { z } from 'zod';

const HashSchema = z.string().regex(/^[0-9a-f]{64}$/);

// A tree entry's relative path as bytes, when its name is not valid UTF-8 (`rel` is then only a
// readable approximation): base64 of the exact bytes.
const RawRelShape = { raw: z.string().optional() };

// One entry of a kept directory tree, relative to the tree's top ('/'-separated).
export const TreeEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    rel: z.string().min(1),
    blob: HashSchema,
    mode: z.number().int(),
    mtimeMs: z.number(),
    size: z.number().int().nonnegative(),
    ...RawRelShape,
  }),
  z.object({
    kind: z.literal('dir'),
    rel: z.string().min(1),
    mode: z.number().int(),
    mtimeMs: z.number(),
    ...RawRelShape,
  }),
  z.object({
    kind: z.literal('symlink'),
    rel: z.string().min(1),
    target: z.string(),
    ...RawRelShape,
  }),
]);
export type TreeEntry = z.infer<typeof TreeEntrySchema>;

// What a path was before a change: nothing, a file (its content kept as a blob), a directory
// tree (every entry kept), a link, or an entry the change moved to another path.
export const BeforeStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('absent') }),
  z.object({
    kind: z.literal('file'),
    blob: HashSchema,
    mode: z.number().int(),
    mtimeMs: z.number(),
    size: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal('dir'),
    mode: z.number().int(),
    mtimeMs: z.number(),
    entries: z.array(TreeEntrySchema),
  }),
  z.object({ kind: z.literal('symlink'), target: z.string() }),
  z.object({ kind: z.literal('moved'), to: z.string().min(1) }),
]);
export type BeforeState = z.infer<typeof BeforeStateSchema>;

// What a path was right after the change, enough to notice a later change: a file by its hash,
// a directory by its inode (a move keeps it), a link by its target.
export const AfterStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('absent') }),
  z.object({ kind: z.literal('file'), hash: HashSchema, size: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('dir'), ino: z.number().int().optional() }),
  z.object({ kind: z.literal('symlink'), target: z.string() }),
]);
export type AfterState = z.infer<typeof AfterStateSchema>;

// One path a change touched.
export const ChangeEntrySchema = z.object({
  path: z.string().min(1),
  before: BeforeStateSchema,
  after: AfterStateSchema,
});
export type ChangeEntry = z.infer<typeof ChangeEntrySchema>;

// One change as kept in the journal: who made it, through which tool and audit call, and what
// every touched path was before and after. `undoes` names the change an undo took back.
export const ChangeSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  time: z.string(),
  tool: z.string(),
  principal: z.string().optional(),
  call: z.string().optional(),
  undoes: z.string().optional(),
  // Bytes of content this change keeps (blobs may be shared with other changes).
  keptBytes: z.number().int().nonnegative(),
  entries: z.array(ChangeEntrySchema).min(1),
});
export type Change = z.infer<typeof ChangeSchema>;

// Who made a change and under which audit record; the servers fill it from the audit caller.
export interface ChangeOrigin {
  tool: string;
  principal?: string;
  call?: string;
}
