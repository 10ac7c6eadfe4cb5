import { McpServer, type ProtocolEra } from '@modelcontextprotocol/server';
import type { AuditCaller, AuditSink } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import {
  openHistoryStore,
  validateHistoryPlacement,
  type HistoryStore,
} from '../../history/index.js';
import type { Logger } from '../../logging/logger.js';
import { createPathGuard, isBastionTempName, type PathGuard } from '../../policy/paths/index.js';
import type { FilesContext } from './context.js';
import { createWalkDenyCheck } from './lib/deny-prefilter.js';
import { findRipgrep } from './lib/ripgrep.js';
import { START_SWEEP_LIMITS, sweepStaleTemps } from './lib/sweep-temps.js';
import { runInRequestRoots } from '../shared/request-roots.js';
import { installRootsSync } from '../shared/roots-sync.js';
import { registerCopyFile } from './tools/copy-file.js';
import { registerCreateDirectory } from './tools/create-directory.js';
import { registerDeletePath } from './tools/delete-path.js';
import { registerDirectoryTree } from './tools/directory-tree.js';
import { registerEditFile } from './tools/edit-file.js';
import { registerListChanges, registerUndoChange } from './tools/history-tools.js';
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

// One instance's view of who it serves (HTTP hub) and how its roots are set.
export interface FilesServerOptions {
  caller?: AuditCaller;
  readOnly?: boolean;
  // true: this instance follows the client's MCP roots (one long-lived connection: stdio or a
  // 2025-era HTTP session), with a guard of its own. false: the service's shared guard on the
  // configured roots (stateless HTTP requests), so writes from every request share one set of
  // write locks and nothing is compiled per request.
  followClientRoots?: boolean;
  // The protocol era the instance serves (default legacy): a 2026-07-28 client that declares
  // roots is asked for them in each request (input-required roots/list), for that request only.
  era?: ProtocolEra;
  // The instance serves one tools/call of this tool (a 2026-07-28 request): only it is built.
  onlyTool?: string;
}

// What is built once per process and shared by every instance: the guard on the configured
// roots, the walk deny check, where ripgrep is, and the start-time temp sweep.
export interface FilesService {
  createServer(options?: FilesServerOptions): McpServer;
}

export interface FilesDeps {
  audit: AuditSink;
  logger: Logger;
  // Where rg lives; omitted = looked up on PATH and usual places, null = none (tests).
  ripgrep?: string | null;
}

// Build the files service for one config. Every tool of every instance goes through a path
// guard (narrowed by the client's MCP roots where the instance follows them) and is audited.
export function createFilesService(config: Config, deps: FilesDeps): FilesService {
  const ripgrepPath = deps.ripgrep === undefined ? findRipgrep() : (deps.ripgrep ?? undefined);
  const shared = guardState(config);
  const history = openHistory(config, deps, shared.guard);
  startTempSweep(deps, shared);
  return {
    createServer(options = {}) {
      const mcp = new McpServer(
        { name: 'bastion-files', version: FILES_SERVER_VERSION },
        { capabilities: { tools: {} }, instructions: FILES_INSTRUCTIONS },
      );
      const own = options.followClientRoots === false ? shared : guardState(config);
      const rootsReady =
        options.followClientRoots === false
          ? () => Promise.resolve()
          : installRootsSync(mcp, own.guard, deps.logger);
      const ctx: FilesContext = {
        mcp,
        audit: deps.audit,
        logger: deps.logger,
        server: FILES_AUDIT_NAME,
        ...(options.caller ? { caller: options.caller } : {}),
        ...(options.readOnly ? { readOnly: true } : {}),
        // Security: a 2026-07-28 request runs on its own client roots, or not before it has them.
        ...(options.era === 'modern'
          ? { scope: (extra, run) => runInRequestRoots(own.guard, extra, run) }
          : {}),
        guard: own.guard,
        limits: config.limits,
        denyPatterns: config.deny,
        walkDenied: own.walkDenied,
        // The name test first: it is a cheap string check and true only for Bastion's temps.
        listHidden: (absPath, name) => isBastionTempName(name) || own.walkDenied(absPath, name),
        rootsReady,
        ripgrepPath,
        history,
      };
      if (options.onlyTool !== undefined) {
        for (const register of FILES_TOOLS) register({ ...ctx, onlyTool: options.onlyTool });
        if (isToolRegistered(mcp, options.onlyTool)) return mcp;
        // Not one of ours (or not for this token): with every tool registered, the call is
        // refused and audited exactly as on a full instance.
      }
      for (const register of FILES_TOOLS) register(ctx);
      return mcp;
    },
  };
}

// The files MCP server for one connection (stdio): a service of its own, following the
// client's roots. The caller connects a transport.
export function createFilesServer(
  config: Config,
  deps: FilesDeps,
  era: ProtocolEra = 'legacy',
): McpServer {
  return createFilesService(config, deps).createServer({ followClientRoots: true, era });
}

// Whether the instance has a tool of that name; the SDK keeps them in a private record (pinned
// by the lockfile; the hub tests call tools on such instances).
function isToolRegistered(mcp: McpServer, name: string): boolean {
  const tools = (mcp as unknown as { _registeredTools?: Record<string, unknown> })._registeredTools;
  return tools !== undefined && Object.hasOwn(tools, name);
}

const FILES_INSTRUCTIONS =
  'File tools confined to the allowed directories (see list_allowed_directories). Secrets such as .env files ' +
  'and keys are never read or written. Big listings and searches are paged: continue with offset.';

const FILES_TOOLS: readonly ((ctx: FilesContext) => void)[] = [
  registerReadTextFile,
  registerReadMediaFile,
  registerReadMultipleFiles,
  registerWriteFile,
  registerEditFile,
  registerCreateDirectory,
  registerListDirectoryTools,
  registerDirectoryTree,
  registerMoveFile,
  registerCopyFile,
  registerDeletePath,
  registerSearchFiles,
  registerSearchFileContents,
  registerGetFileInfo,
  registerListAllowedDirectories,
  registerListChanges,
  registerUndoChange,
];

// The history store of this process, checked to lie outside every root. Undos a crash cut short
// are finished first (before the temp sweep could take their staged content), then retention runs.
function openHistory(config: Config, deps: FilesDeps, guard: PathGuard): HistoryStore | undefined {
  if (!config.history.enabled) return undefined;
  // Security: refuse to start when an agent could read or forge the history through a root.
  validateHistoryPlacement(config);
  const history = openHistoryStore(config.history);
  const recovered = history.recover(guard);
  if (recovered.finished > 0)
    deps.logger.info({ finished: recovered.finished }, 'finished undos interrupted by a crash');
  if (recovered.failed.length > 0)
    deps.logger.warn({ failed: recovered.failed }, 'could not finish undos interrupted by a crash');
  // Retention reads every journal entry; at start it waits like the temp sweep, so a week of
  // history does not lengthen the handshake (a write also prunes, at most once a minute).
  setTimeout(() => {
    try {
      const pruned = history.prune();
      if (pruned.removedChanges > 0)
        deps.logger.info({ ...pruned }, 'history retention removed old changes');
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'history retention failed');
    }
  }, START_SWEEP_DELAY_MS).unref();
  return history;
}

interface GuardState {
  guard: PathGuard;
  walkDenied: (absPath: string, name: string) => boolean;
}

function guardState(config: Config): GuardState {
  const guard = createPathGuard(config);
  return { guard, walkDenied: createWalkDenyCheck(guard, config.deny) };
}

// Remove what crashed writers left in the configured read-write roots, in the background (bounded
// by START_SWEEP_LIMITS; folders it does not reach are swept when next written). Tool calls do
// not wait for it: listings hide temp names anyway, and live writes of this process are never
// touched. Removals are audited: they change the user's folders. It begins START_SWEEP_DELAY_MS
// after start, so walking a big root (up to 50,000 entries) does not compete with the client's
// handshake and first tools/list on the same cores; the timer never keeps the process alive.
function startTempSweep(deps: FilesDeps, state: GuardState): void {
  setTimeout(() => {
    void sweepAtStart({ ...deps, ...state, server: FILES_AUDIT_NAME });
  }, START_SWEEP_DELAY_MS).unref();
}

// How long after start the temp sweep waits; a server that exits sooner leaves it to the next.
const START_SWEEP_DELAY_MS = 1_000;

interface SweepContext {
  audit: AuditSink;
  logger: Logger;
  guard: PathGuard;
  walkDenied: (absPath: string, name: string) => boolean;
  server: string;
}

async function sweepAtStart(ctx: SweepContext): Promise<void> {
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
