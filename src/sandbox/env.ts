// A sane fixed PATH: the host's PATH may point into dirs that are invisible in the sandbox.
export const SANDBOX_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// HOME inside the bubblewrap sandbox: a fresh tmpfs, empty at every command.
export const SANDBOX_HOME = '/home/sandbox';

const LOCALE_RE = /^[A-Za-z0-9_.@-]{1,64}$/;
const TERM_RE = /^[A-Za-z0-9_.+-]{1,64}$/;
const USER_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function pick(value: string | undefined, re: RegExp, fallback: string): string {
  return value !== undefined && re.test(value) ? value : fallback;
}

// The child's whole environment: a fixed allowlist plus the names in passEnv, nothing else of
// the host (no tokens, no SSH_AUTH_SOCK, no LD_PRELOAD unless the operator lists it).
export function buildSandboxEnv(
  passEnv: readonly string[],
  hostEnv: NodeJS.ProcessEnv,
  home: string,
): Record<string, string> {
  // Security: start from an empty object, never from hostEnv, so secrets in the server's
  // environment (API keys, cloud credentials, agent sockets) cannot reach the command.
  const env: Record<string, string> = {
    PATH: SANDBOX_DEFAULT_PATH,
    LANG: pick(hostEnv.LANG, LOCALE_RE, 'C.UTF-8'),
    TERM: pick(hostEnv.TERM, TERM_RE, 'dumb'),
    USER: pick(hostEnv.USER, USER_RE, 'sandbox'),
  };
  if (hostEnv.LC_ALL !== undefined && LOCALE_RE.test(hostEnv.LC_ALL)) env.LC_ALL = hostEnv.LC_ALL;
  for (const name of passEnv) {
    const value = hostEnv[name];
    // Security: only well-formed names the operator listed explicitly are passed through.
    if (NAME_RE.test(name) && value !== undefined && !value.includes('\0')) env[name] = value;
  }
  // Security: HOME always points inside the sandbox, even if passEnv names it.
  env.HOME = home;
  return env;
}
