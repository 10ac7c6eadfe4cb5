import { McpServer } from '@modelcontextprotocol/server';
import type { AuditSink } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../logging/logger.js';
import { createPathGuard, isBastionTempName } from '../../policy/paths/index.js';
import type { FilesContext } from './context.js';
import { createWalkDenyCheck } from './lib/deny-prefilter.js';
import { findRipgrep } from './lib/ripgrep.js';
import { START_SWEEP_LIMITS, sweepStaleTemps } from './lib/sweep-temps.js';
import { installRootsSync } from '../shared/roots-sync.js';
import { registerCopyFile } from './tools/copy-file.js';
import { registerCreateDirectory } from './tools/create-directory.js';
import { registerDeletePath } from './tools/delete-path.js';
import { registerDirectoryTree } from './tools/directory-tree.js';
import { registerEditFile } from './tools/edit-file.js';
import { registerGetFileInfo } from './tools/get-file-info.js';
import { registerListAllowedDirectories } from './tools/list-allowed-directories.js';
import { registerListDirectoryTools } from './tools/list-directory.js';
import { registerMoveFile } from './tools/move-file.js';
import { registerReadMediaFile } from './tools/read-media-file.js';
import { registerReadMultipleFiles } from './tools/read-multiple-files.js';
import { registerReadTextFile } from './tools/read-text-file.js';
import { registerSearchFileContents } from './tools/search-file-contents.js';
import { registerSearchFiles } from './tools/search-files.js';
import { registerWriteFile } from './tools/write-file.js';

// Reported to clients in serverInfo; bump with the files server's behaviour.
export const FILES_SERVER_VERSION = '0.1.0';

// Name used in audit records for this server's tool calls.
export const FILES_AUDIT_NAME = 'files';

// Build the files MCP server for one config: every tool goes through one path guard (its own
// state, narrowed by the client's MCP roots) and is audited. The caller connects a transport.
// deps.ripgrep: where rg lives; omitted = looked up on PATH and usual places, null = none (tests).
export function createFilesServer(
  config: Config,
  deps: { audit: AuditSink; logger: Logger; ripgrep?: string | null },
): McpServer {
  const mcp = new McpServer(
    { name: 'bastion-files', version: FILES_SERVER_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        'File tools confined to the allowed directories (see list_allowed_directories). Secrets such as .env files ' +
        'and keys are never read or written. Big listings and searches are paged: continue with offset.',
    },
  );
  const guard = createPathGuard(config);
  const rootsReady = installRootsSync(mcp, guard, deps.logger);
  const walkDenied = createWalkDenyCheck(guard, config.deny);
  const ctx: FilesContext = {
    mcp,
    audit: deps.audit,
    logger: deps.logger,
    server: FILES_AUDIT_NAME,
    guard,
    limits: config.limits,
    denyPatterns: config.deny,
    walkDenied,
    // The name test first: it is a cheap string check and true only for Bastion's temps.
    listHidden: (absPath, name) => isBastionTempName(name) || walkDenied(absPath, name),
    rootsReady,
    ripgrepPath: deps.ripgrep === undefined ? findRipgrep() : (deps.ripgrep ?? undefined),
  };
  registerReadTextFile(ctx);
  registerReadMediaFile(ctx);
  registerReadMultipleFiles(ctx);
  registerWriteFile(ctx);
  registerEditFile(ctx);
  registerCreateDirectory(ctx);
  registerListDirectoryTools(ctx);
  registerDirectoryTree(ctx);
  registerMoveFile(ctx);
  registerCopyFile(ctx);
  registerDeletePath(ctx);
  registerSearchFiles(ctx);
  registerSearchFileContents(ctx);
  registerGetFileInfo(ctx);
  registerListAllowedDirectories(ctx);
  startTempSweep(ctx);
  return mcp;
}

// Remove what crashed writers left in the configured read-write roots, in the background (bounded
// by START_SWEEP_LIMITS; folders it does not reach are swept when next written). Tool calls do
// not wait for it: listings hide temp names anyway, and live writes of this process are never
// touched. Removals are audited: they change the user's folders.
function startTempSweep(ctx: FilesContext): void {
  void sweepAtStart(ctx);
}

async function sweepAtStart(ctx: FilesContext): Promise<void> {
  const started = Date.now();
  try {
    const report = await sweepStaleTemps(ctx.guard, ctx.walkDenied, START_SWEEP_LIMITS);
    if (report.removed > 0) {
      ctx.audit.record({
        server: ctx.server,
        tool: 'sweep_stale_temps',
        args: {},
        decision: 'allow',
        durationMs: Date.now() - started,
        outcome: 'ok',
        details: { ...report },
      });
    }
    ctx.logger.info({ ...report }, 'swept stale temp files left by interrupted writes');
  } catch (err) {
    // Never fatal: the leftovers stay hidden, and writes sweep their folders.
    ctx.logger.warn({ err: (err as Error).message }, 'could not sweep stale temp files');
  }
}
