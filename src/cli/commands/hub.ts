import path from 'node:path';
import type { Command } from 'commander';
import { createAuditLog } from '../../audit/index.js';
import { createFileTokenStore, tokenFilePath } from '../../auth/store/file-token-store.js';
import { createMemoryRateLimitStore } from '../../auth/store/memory-rate-limit-store.js';
import { InvalidConfigError } from '../../errors/index.js';
import { HUB_SHUTDOWN_GRACE_MS } from '../../hub/lifecycle/shutdown-times.js';
import { parseListen, validateListenSecurity } from '../../hub/listen-address.js';
import { startHub } from '../../hub/start-hub.js';
import { createLogger } from '../../logging/logger.js';
import { loadCliConfig, type ConfigFlags } from '../load-cli-config.js';
import { createShellRuntime } from '../shell-runtime.js';
import { ensurePrivateDir } from '../state-paths.js';
import { RIPGREP_MISSING } from '../system-tools.js';

export interface HubFlags extends ConfigFlags {
  listen?: string;
  behindTlsProxy?: boolean;
}

// Reports a config problem the way every command does (all of it, exit 2) before anything binds.
function exitOnConfigError<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      console.error(`bastion: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

async function runHub(flags: HubFlags, version: string): Promise<void> {
  const { config, paths } = loadCliConfig(flags);
  const hub = config.hub;
  const listen = exitOnConfigError(() => parseListen(flags.listen ?? hub.listen, config.source));
  const tls = hub.tls
    ? {
        cert: path.resolve(paths.baseDir, hub.tls.cert),
        key: path.resolve(paths.baseDir, hub.tls.key),
      }
    : undefined;
  exitOnConfigError(() =>
    validateListenSecurity(
      listen,
      tls !== undefined,
      Boolean(flags.behindTlsProxy) || hub.behindTlsProxy,
      config.source,
    ),
  );
  ensurePrivateDir(paths.stateDir);
  const logger = createLogger('bastion-hub');
  // As for serve: the HMAC key is read once and removed, so no command inherits it.
  const key = process.env.BASTION_AUDIT_KEY;
  delete process.env.BASTION_AUDIT_KEY;
  const auditLog = createAuditLog({ ...config.audit, ...(key ? { key } : {}) });
  const { createFilesService } = await import('../../servers/files/index.js');
  const { findRipgrep } = await import('../../servers/files/lib/ripgrep.js');
  if (findRipgrep() === undefined) console.error(`bastion: ${RIPGREP_MISSING}`);
  const { createShellService } = await import('../../servers/shell/index.js');
  const runtime = await createShellRuntime(config, paths, logger);

  let running;
  try {
    running = await startHub({
      config,
      stateDir: paths.stateDir,
      listen,
      ...(tls ? { tls } : {}),
      audit: auditLog,
      logger,
      tokens: createFileTokenStore({
        file: tokenFilePath(paths.stateDir),
        onError: (err) =>
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'token store'),
      }),
      limiter: createMemoryRateLimitStore(),
      version,
      ...(key ? { auditKey: key } : {}),
      createFiles: (audit) => createFilesService(config, { audit, logger }),
      createShell: (audit) => {
        const service = createShellService(config, { audit, logger, ...runtime });
        return {
          service,
          sandbox: runtime.sandbox.kind,
          close: async () => {
            await service.close();
            await runtime.sandbox.close();
          },
        };
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (
      code === 'EADDRINUSE' ||
      code === 'EACCES' ||
      code === 'EADDRNOTAVAIL' ||
      code === 'ENOENT'
    ) {
      console.error(
        `bastion: the hub cannot listen on ${flags.listen ?? hub.listen}: ${(err as Error).message}`,
      );
      process.exit(2);
    }
    throw err;
  }
  logger.info({ url: running.url, sandbox: runtime.sandbox.kind }, 'hub ready');
  console.error(
    `bastion hub: serving ${running.url}/mcp/files and ${running.url}/mcp/shell (pid ${process.pid})`,
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'hub stopping');
      running.stop(HUB_SHUTDOWN_GRACE_MS).then(resolve, (err: unknown) => {
        logger.error({ err: (err as Error).message }, 'hub stop failed');
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

// `bastion hub`: both servers over Streamable HTTP in this process, in the foreground.
export function registerHubCommand(program: Command, version: string): void {
  program
    .command('hub')
    .description('serve the files and shell servers over Streamable HTTP (foreground)')
    .option('--listen <host:port>', 'address to bind (default: bastion.hub.listen, 127.0.0.1:8765)')
    .option(
      '--behind-tls-proxy',
      'allow a non-loopback address without TLS: a TLS proxy terminates in front',
    )
    .option(
      '--config <file>',
      'settings file (default: <home>/config/mcp_settings.json when present)',
    )
    .option(
      '--home <dir>',
      'Bastion home holding config/ and logs/ (default: $BASTION_HOME, else XDG dirs)',
    )
    .action(async (flags: HubFlags) => {
      await runHub(flags, version);
      process.exit(0);
    });
}
