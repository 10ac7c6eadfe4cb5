import { z } from 'zod';
import { OffsetArg, PageShape } from './common.js';

// list_changes: newest first, optionally only since a time, paged.
export const ListChangesInput = {
  since: z
    .string()
    .max(100)
    .optional()
    .describe('Only changes from this ISO time, or this span back from now (15m, 2h, 7d)'),
  offset: OffsetArg,
  limit: z.number().int().min(1).max(500).optional().default(50).describe('At most this many'),
};

const PathSummaryShape = z.object({
  path: z.string(),
  before: z.enum(['absent', 'file', 'dir', 'symlink', 'moved']),
  after: z.enum(['absent', 'file', 'dir', 'symlink']),
  beforeSize: z.number().int().optional(),
  afterSize: z.number().int().optional(),
  movedTo: z.string().optional(),
});

// One listed change.
export const ChangeSummaryShape = z.object({
  id: z.string(),
  time: z.string(),
  tool: z.string(),
  principal: z.string().optional(),
  call: z.string().optional().describe('The audit call id of the change'),
  undoes: z.string().optional().describe('The change this one took back'),
  keptBytes: z.number().int(),
  paths: z.array(PathSummaryShape),
  undoable: z.boolean().describe('True when every path is in a root this caller may write'),
});

// list_changes: one page of changes.
export const ListChangesOutput = {
  changes: z.array(ChangeSummaryShape),
  ...PageShape,
};

// undo_change: which change, and whether to restore over later changes.
export const UndoChangeInput = {
  id: z
    .string()
    .regex(/^[0-9a-f]{12}$/)
    .describe('The change id from list_changes'),
  force: z
    .boolean()
    .optional()
    .default(false)
    .describe('Restore even when a path changed since (what is there now is kept in history)'),
};

// undo_change: the undo, itself a change that can be undone.
export const UndoChangeOutput = {
  undone: z.string(),
  change: ChangeSummaryShape,
};
