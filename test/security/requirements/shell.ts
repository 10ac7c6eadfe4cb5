// Threats the shell server must stop; every id has at least one test named `[ID] ...`.
export const SHELL_THREATS = [
  {
    id: 'SH-ESC-01',
    description: 'A command reads a file outside the roots by absolute path (cat /outside/canary).',
  },
  {
    id: 'SH-ESC-02',
    description: 'A command climbs out of its root with cd .. or ../ and reads a file there.',
  },
  {
    id: 'SH-ESC-03',
    description: 'A command writes outside the roots (redirect, tee, cp, mv, ln).',
  },
  {
    id: 'SH-ESC-04',
    description: 'An interpreter (python3 -c, node -e) reads or writes outside the roots.',
  },
  {
    id: 'SH-ESC-05',
    description: 'A symlink created inside a root points outside and is followed by a command.',
  },
  {
    id: 'SH-ESC-06',
    description: 'A command reads or overwrites a denied file inside a root (.env, .ssh keys).',
  },
  {
    id: 'SH-CWD-01',
    description: 'The cwd argument names a directory outside the roots (absolute, ../, /).',
  },
  {
    id: 'SH-OBF-01',
    description:
      'A denied command is disguised: quoting, ANSI-C escapes, variables, sh -c, eval, base64 | sh, find -exec, xargs, awk system().',
  },
  {
    id: 'SH-SES-01',
    description: 'A denied command is sent as input to a shell session instead of run_command.',
  },
  {
    id: 'SH-SES-02',
    description: 'A denied command is split across two session inputs with a line continuation.',
  },
  {
    id: 'SH-SES-04',
    description:
      'A denied command is typed into a REPL session (python3 -i: os.system, subprocess).',
  },
  {
    id: 'SH-SES-03',
    description:
      'A session outlives the server that started it (close, or the server being SIGKILLed).',
  },
  {
    id: 'SH-ENV-01',
    description:
      "A command reads the server's environment secrets (env, /proc/self/environ, /proc/<pid>/environ, /proc/*/environ).",
  },
  {
    id: 'SH-KILL-01',
    description: 'A command kills the server (kill -9 <server pid>, pkill node, kill -9 -1).',
  },
  {
    id: 'SH-BG-01',
    description: 'A background child outlives the command timeout and acts later.',
  },
  {
    id: 'SH-DOS-01',
    description:
      "An output flood (yes | head -c 200M, cat /dev/zero) exhausts the server's memory.",
  },
  { id: 'SH-DOS-02', description: 'A fork bomb / process flood takes the server down.' },
  {
    id: 'SH-NET-01',
    description: 'A command connects to a host service on 127.0.0.1 while the network is off.',
  },
  {
    id: 'SH-POL-01',
    description: 'An agent reads or changes the command policy or the config through a tool.',
  },
  { id: 'SH-POL-02', description: 'A command reads or rewrites the config file or the audit log.' },
  { id: 'SH-AUD-01', description: 'A command, allowed or refused, leaves no audit record.' },
  {
    id: 'SH-AUD-02',
    description:
      'A secret typed into a command (token, URL password, credential header, --password, KEY=value, private key) is written in clear to audit.jsonl or the logs, or a huge argument is logged whole.',
  },
  {
    id: 'SH-ROOTS-01',
    description:
      'Client MCP roots narrow what commands can see: the rest of a configured root is unmounted.',
  },
  {
    id: 'SH-ROOTS-02',
    description:
      'A client offering / or an outside folder as a root cannot widen what commands can reach.',
  },
  {
    id: 'SH-CONF-01',
    description:
      'A 2026-07-28 client forges a confirmation, or replays one issued for another command, cwd or an earlier call.',
  },
  {
    id: 'SH-HISTORY-01',
    description:
      'A command reads the history store or its own staged writes (old versions of files), or alters them so that an undo or the apply writes what it chose.',
  },
  {
    id: 'SH-HISTORY-02',
    description:
      'A setuid/setgid file or a device node made by a command reaches the real root through the apply of its staged writes.',
  },
  {
    id: 'SH-HISTORY-03',
    description:
      'The server dies between a command’s exit and the apply of its staged writes, and the writes are lost or applied half-done without a word.',
  },
] as const;
