import { existsSync } from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { parseDuration } from '../../auth/parse-duration.js';
import { createFileTokenStore, tokenFilePath } from '../../auth/store/file-token-store.js';
import { TOKEN_SERVERS, type TokenServer, type TokenStore } from '../../auth/types.js';
import { InvalidInputError } from '../../errors/index.js';
import { loadCliConfig, type ConfigFlags } from '../load-cli-config.js';
import { ensurePrivateDir, resolveStatePaths } from '../state-paths.js';
import { describeToken, formatTokenJson, formatTokenTable } from './token-format.js';

// Scopes a token gets when --servers is not given: the two MCP servers, not the dashboard.
const DEFAULT_SERVERS = 'files,shell';

interface CreateFlags extends ConfigFlags {
  servers: string;
  readOnly?: boolean;
  expires?: string;
}

// The token store of the home the flags name. A --config is loaded (and must be valid) like
// every command's, though the token file's place depends only on the state dir.
function openStore(flags: ConfigFlags): { store: TokenStore; file: string } {
  const paths = resolveStatePaths({ ...(flags.home ? { homeFlag: flags.home } : {}) });
  if (flags.config) {
    const stand = existsSync(paths.baseDir) ? paths.baseDir : os.homedir();
    loadCliConfig({ ...flags, root: [stand] });
  }
  ensurePrivateDir(paths.stateDir);
  const file = tokenFilePath(paths.stateDir);
  return { store: createFileTokenStore({ file }), file };
}

function parseServers(raw: string): TokenServer[] {
  const servers = raw.split(',').map((s) => s.trim());
  const known = TOKEN_SERVERS as readonly string[];
  if (servers.some((s) => !known.includes(s)))
    throw new InvalidInputError(
      `--servers: expected a comma-separated list of ${TOKEN_SERVERS.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  return [...new Set(servers)] as TokenServer[];
}

// One line on stderr for any failure: exit 2 for input the user can fix, 1 otherwise. stdout
// carries a secret or a listing, never an error. The exit code is set, not forced, so stdout
// is flushed before the process ends.
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    console.error(`bastion token: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof InvalidInputError ? 2 : 1;
  }
}

async function withStore<T>(
  flags: ConfigFlags,
  use: (store: TokenStore, file: string) => Promise<T>,
) {
  const { store, file } = openStore(flags);
  try {
    return await use(store, file);
  } finally {
    await store.close();
  }
}

function withHome(command: Command): Command {
  return command
    .option('--home <dir>', 'Bastion home (default: $BASTION_HOME, else XDG dirs)')
    .option('--config <file>', 'settings file');
}

// `bastion token create|list|revoke|rotate`: the bearer tokens the hub accepts. A secret is
// printed once, alone on stdout (so `$(bastion token create ci)` captures exactly it).
export function registerTokenCommand(program: Command): void {
  const token = program.command('token').description('manage the bearer tokens the hub accepts');

  withHome(token.command('create'))
    .description('create a token and print its secret once, alone on stdout')
    .argument('<name>', 'a unique name (1-64 of a-z 0-9 . _ -), shown in audit records')
    .option(
      '--servers <list>',
      `scopes, comma-separated: ${TOKEN_SERVERS.join(', ')}`,
      DEFAULT_SERVERS,
    )
    .option('--read-only', 'only read-only tools are listed and callable')
    .option('--expires <duration>', 'lifetime: 30d, 12h, 15m or 90s (default: never expires)')
    .action((name: string, flags: CreateFlags) =>
      run(async () => {
        const servers = parseServers(flags.servers);
        const expiresInMs = flags.expires === undefined ? undefined : parseDuration(flags.expires);
        await withStore(flags, async (store, file) => {
          const { secret, info } = await store.create(name, {
            servers,
            readOnly: flags.readOnly === true,
            ...(expiresInMs !== undefined ? { expiresInMs } : {}),
          });
          process.stdout.write(`${secret}\n`);
          console.error(
            `bastion token: created ${describeToken(info)} in ${file}. The secret above is shown only this once; only its hash is kept.`,
          );
        });
      }),
    );

  withHome(token.command('list'))
    .description('names, scopes, access, creation, expiry and last use (never a secret)')
    .option('--json', 'one JSON object per token per line')
    .action((flags: ConfigFlags & { json?: boolean }) =>
      run(() =>
        withStore(flags, async (store) => {
          const tokens = await store.list();
          const nowMs = Date.now();
          if (flags.json) {
            for (const t of tokens) process.stdout.write(`${formatTokenJson(t, nowMs)}\n`);
          } else if (tokens.length === 0) {
            console.error(
              'bastion token: no tokens yet; create one with `bastion token create NAME`',
            );
          } else {
            process.stdout.write(`${formatTokenTable(tokens, nowMs)}\n`);
          }
        }),
      ),
    );

  withHome(token.command('revoke'))
    .description('delete a token; a running hub refuses it within 2 seconds')
    .argument('<name>', 'the token to revoke')
    .action((name: string, flags: ConfigFlags) =>
      run(() =>
        withStore(flags, async (store) => {
          if (!(await store.revoke(name)))
            throw new InvalidInputError(
              `expected the name of an existing token (see \`bastion token list\`), got ${JSON.stringify(name)}`,
            );
          console.error(
            `bastion token: revoked ${name}; a running hub refuses it within 2 seconds`,
          );
        }),
      ),
    );

  withHome(token.command('rotate'))
    .description('give a token a new secret (printed alone on stdout); the old one stops working')
    .argument('<name>', 'the token to rotate')
    .action((name: string, flags: ConfigFlags) =>
      run(() =>
        withStore(flags, async (store) => {
          const { secret, info } = await store.rotate(name);
          process.stdout.write(`${secret}\n`);
          console.error(
            `bastion token: rotated ${describeToken(info)}; the old secret stops working within 2 seconds`,
          );
        }),
      ),
    );
}
