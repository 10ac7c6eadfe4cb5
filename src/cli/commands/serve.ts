import type { ProtocolEra } from '@modelcontextprotocol/server';
import type { Command } from 'commander';
import { InvalidConfigError } from '../../errors/index.js';
import { validateHistoryPlacement } from '../../history/placement.js';
import { enableCompileCache } from '../compile-cache.js';
import { collect, loadCliConfig, type ConfigFlags } from '../load-cli-config.js';
import { ensurePrivateDir } from '../state-paths.js';
import { RIPGREP_MISSING } from '../system-tools.js';

const SERVERS = ['files', 'shell'] as const;
type ServerName = (typeof SERVERS)[number];

async function serve(name: ServerName, flags: ConfigFlags): Promise<void> {
  const { config, paths } = loadCliConfig(flags);
  try {
    // Both servers: the files server keeps the history, the shell server must not reach it.
    validateHistoryPlacement(config);
  } catch (err) {
    if (!(err instanceof InvalidConfigError)) throw err;
    console.error(`bastion: ${err.message}`);
    process.exit(2);
  }
  ensurePrivateDir(paths.stateDir);
  // Once the roots are known (the cache must lie outside them), before anything else loads: the
  // audit log, the logger, the SDK and the server modules are what the cache saves compiling.
  enableCompileCache(config.roots.map((root) => root.path));
  const [{ maxMessageBytesFor, serveStdio }, { createLogger }, { createAuditLog }] =
    await Promise.all([
      import('../../transport/stdio.js'),
      import('../../logging/logger.js'),
      import('../../audit/index.js'),
    ]);
  const logger = createLogger(`bastion-${name}`);
  // The HMAC key is read once and removed from the environment: the sink keeps only the
  // current evolved key, and no command the server runs can inherit the master key.
  const key = process.env.BASTION_AUDIT_KEY;
  delete process.env.BASTION_AUDIT_KEY;
  const audit = createAuditLog({ ...config.audit, ...(key ? { key } : {}) });
  // Each server's modules load only when that server runs: a quicker cold start for clients.
  if (name === 'files') {
    const { createFilesService } = await import('../../servers/files/index.js');
    const { findRipgrep } = await import('../../servers/files/lib/ripgrep.js');
    // The server still starts: every tool but content search works without ripgrep.
    if (findRipgrep() === undefined) console.error(`bastion: ${RIPGREP_MISSING}`);
    logger.info(
      { roots: config.roots.map((r) => r.path), source: config.source },
      'files server ready on stdio',
    );
    // One service per process, made now: history recovery and the temp sweep run at start and
    // once, whichever era the client opens in and however late its first request comes (a
    // 2026-07-28 connection builds its instance at the first request; a server/discover probe
    // may build one that is thrown away). Each instance follows its client's roots.
    const files = createFilesService(config, { audit, logger });
    // The audit log closes last: serveStdio calls this after every call in flight has ended.
    await serveStdio(
      (era) => files.createServer({ followClientRoots: true, era }),
      () => Promise.resolve(audit.close()),
      {
        logger,
        maxMessageBytes: maxMessageBytesFor(config.limits.maxWriteBytes),
      },
    );
    return;
  }
  const { createShellService } = await import('../../servers/shell/index.js');
  const { createShellRuntime } = await import('../shell-runtime.js');
  const { sandbox, policy } = await createShellRuntime(config, paths, logger);
  // One service per process, made now: the recovery of a crashed run's staged command writes
  // runs at start and once, whichever era the client opens in (a 2026-07-28 connection builds
  // its instance at the first request; a server/discover probe may build one more). Closing it
  // kills every session.
  const shell = createShellService(config, { audit, logger, sandbox, policy });
  const buildShell = (era: ProtocolEra) => shell.createServer({ followClientRoots: true, era });
  logger.info(
    { roots: config.roots.map((r) => r.path), sandbox: sandbox.kind },
    'shell server ready on stdio',
  );
  await serveStdio(
    buildShell,
    async () => {
      await shell.close();
      await sandbox.close();
      audit.close();
    },
    { logger },
  );
}

// `bastion serve files|shell`: run one server on stdio for an MCP client.
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run a Bastion MCP server on stdio (files or shell)')
    .argument('<server>', `which server: ${SERVERS.join(' | ')}`)
    .option(
      '--root <dir>',
      'allow this directory read-write (repeatable; replaces the config roots)',
      collect,
    )
    .option('--read-only-root <dir>', 'allow this directory read-only (repeatable)', collect)
    .option(
      '--config <file>',
      'settings file (default: <home>/config/mcp_settings.json when present)',
    )
    .option(
      '--home <dir>',
      'Bastion home holding config/ and logs/ (default: $BASTION_HOME, else XDG dirs; see doctor)',
    )
    .action(async (server: string, flags: ConfigFlags) => {
      if (!SERVERS.includes(server as ServerName)) {
        console.error(
          `bastion: unknown server "${server}"; expected one of: ${SERVERS.join(', ')}`,
        );
        process.exit(2);
      }
      await serve(server as ServerName, flags);
      process.exit(0);
    });
}
