import type { z } from 'zod';
import type { Limits } from '../../config/index.js';
import type { ChangeOrigin, HistoryStore } from '../../history/index.js';
import type { PathGuard } from '../../policy/paths/index.js';
import {
  registerAuditedTool,
  type AuditedToolDefinition,
  type ToolCallInfo,
  type ToolContext,
  type ToolExtra,
  type ToolResultWithAudit,
} from '../shared/audited-tool.js';

// Everything a files tool needs: the audited-tool context, the path guard and the limits.
export interface FilesContext extends ToolContext {
  guard: PathGuard;
  limits: Readonly<Limits>;
  // The configured deny globs, handed to ripgrep as exclusions (hits are re-checked by the guard).
  denyPatterns: readonly string[];
  // The guard's deny check, made cheap for walks (see createWalkDenyCheck).
  walkDenied: (absPath: string, name: string) => boolean;
  // What listings and searches never show: walkDenied plus Bastion's own temp files and staged
  // copies (a string test on the name). Moves and deletes use walkDenied: temps go along.
  listHidden: (absPath: string, name: string) => boolean;
  // Resolves once the client's MCP roots (if any) have been applied, so no call runs wider.
  rootsReady: () => Promise<void>;
  // Absolute path of ripgrep, or undefined when it is not installed.
  ripgrepPath: string | undefined;
  // Where changes are kept for undo; undefined when bastion.history.enabled is false.
  history: HistoryStore | undefined;
}

// The history origin of a tool call: the tool, its audit call id and the caller's principal.
export function originOf(tool: string, info: ToolCallInfo): ChangeOrigin {
  return {
    tool,
    call: info.call,
    ...(info.caller?.principal !== undefined ? { principal: info.caller.principal } : {}),
  };
}

// Register a files tool: audited like every tool, and held until client roots are applied.
export function registerFilesTool<
  I extends z.ZodRawShape,
  O extends z.ZodRawShape | undefined = undefined,
>(
  ctx: FilesContext,
  name: string,
  definition: AuditedToolDefinition<I, O>,
  handler: (
    args: z.infer<z.ZodObject<I>>,
    extra: ToolExtra,
    info: ToolCallInfo,
  ) => Promise<ToolResultWithAudit>,
): void {
  // Security: a call racing the roots/list request must not run against the wider config roots.
  registerAuditedTool({ ...ctx, ready: ctx.rootsReady }, name, definition, handler);
}

// Annotations shared by every tool that only looks.
export const READ_ONLY_ANNOTATIONS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

// Annotations shared by the tools that replace or rewrite content (write, edit, move, copy).
export const OVERWRITING_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
} as const;
