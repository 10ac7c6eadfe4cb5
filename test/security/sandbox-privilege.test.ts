import { execFileSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, REPO_ROOT } from '../helpers/mcp-client.js';
import {
  callTool,
  everything,
  makeShellDirs,
  readUntil,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
} from '../integration/shell-harness.js';
import { FIXTURES_DIR, IS_LINUX, IS_ROOT } from './sandbox-harness.js';

// "Privilege left behind": whatever a command creates in a read-write root belongs on the host
// to the server's uid. Every attack below runs through the real shell server; the verdict is
// what lstat (and listxattr) on the HOST finds in the root afterwards, never an error string.

const HOST_PYTHON = '/usr/bin/python3';
const HAS_PYTHON = existsSync(HOST_PYTHON);
const SETUID_BINARY = ['/usr/bin/passwd', '/usr/bin/su', '/bin/su', '/usr/bin/mount'].find(
  (p) => existsSync(p) && (statSync(p).mode & 0o4000) !== 0,
);
const SETCAP = ['/usr/sbin/setcap', '/sbin/setcap', '/usr/bin/setcap'].find((p) => existsSync(p));
const HAS_GIT = existsSync('/usr/bin/git');

// Everything in `dir` (itself included) that would carry privilege on the host.
function privilegeLeftIn(dir: string): string[] {
  const found: string[] = [];
  const entries = [
    dir,
    ...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((e) => path.join(dir, e)),
  ];
  for (const entry of entries) {
    const st = lstatSync(entry);
    const rel = path.relative(dir, entry) || '.';
    if (st.mode & 0o4000) found.push(`${rel}: setuid`);
    if (st.mode & 0o2000) found.push(`${rel}: setgid`);
    if (st.isCharacterDevice()) found.push(`${rel}: character device`);
    if (st.isBlockDevice()) found.push(`${rel}: block device`);
  }
  // Node has no listxattr: the host's python lists file capabilities (security.capability).
  const withCaps = execFileSync(
    HOST_PYTHON,
    [
      '-c',
      'import os, sys\n' +
        'for d, ds, fs in os.walk(sys.argv[1]):\n' +
        '    for n in [d] + [os.path.join(d, x) for x in ds + fs]:\n' +
        "        if 'security.capability' in os.listxattr(n, follow_symlinks=False): print(n)",
      dir,
    ],
    { encoding: 'utf8' },
  );
  for (const file of withCaps.split('\n').filter(Boolean))
    found.push(`${path.relative(dir, file) || '.'}: security.capability`);
  return [...new Set(found)];
}

// A uid no account uses, so nothing on the machine can be confused with the test's files.
function throwawayUid(): number {
  const used = new Set(
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => Number(line.split(':')[2])),
  );
  let uid = 61_000 + (process.pid % 3_000);
  while (used.has(uid)) uid += 1;
  return uid;
}

interface RunningServer {
  client: Client;
  close(): Promise<void>;
}

// The built CLI, started as `uid` (setpriv drops every group and capability of root).
async function startShellAs(uid: number, dirs: ShellTestDirs): Promise<RunningServer> {
  const transport = new StdioClientTransport({
    command: '/usr/bin/setpriv',
    args: [
      `--reuid=${uid}`,
      `--regid=${uid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
      process.execPath,
      CLI_PATH,
      'serve',
      'shell',
      '--home',
      dirs.home,
      '--config',
      dirs.configPath,
    ],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dirs.home },
    cwd: REPO_ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'bastion-test-client', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new Error(`server failed to start as uid ${uid}: ${(err as Error).message}\n${stderr}`);
  }
  return { client, close: () => client.close() };
}

const IDENTITIES = [
  {
    who: IS_ROOT ? 'root' : 'the test user',
    throwaway: false,
    skip: !IS_LINUX || !HAS_PYTHON || !existsSync(CLI_PATH),
  },
  {
    who: 'a throwaway uid',
    throwaway: true,
    skip: !IS_LINUX || !HAS_PYTHON || !IS_ROOT || !existsSync(CLI_PATH),
  },
];

describe.each(IDENTITIES)('shell sandbox, server running as $who', ({ throwaway, skip }) => {
  let dirs: ShellTestDirs;
  let server: RunningServer;
  let uid: number;

  // Each test works in its own dir of the root, then the host inspects that dir.
  const workDir = (name: string): string => path.join(dirs.root, name);
  const run = async (command: string, cwd: string): Promise<string> => {
    const res = await callTool(server.client, 'run_command', { command, cwd, timeoutMs: 30_000 });
    return everything(res);
  };

  beforeAll(async () => {
    if (skip) return;
    // A permissive policy: only the OS sandbox stands between these commands and the host.
    dirs = makeShellDirs(() => ({ shell: { policy: { mode: 'denylist', deny: ['sudo'] } } }));
    copyFileSync(
      path.join(FIXTURES_DIR, 'leave-privilege.py'),
      path.join(dirs.root, 'leave-privilege.py'),
    );
    for (const name of ['shell', 'syscalls', 'setcap', 'bypass', 'session', 'ordinary'])
      mkdirSync(workDir(name));
    // A short-lived private file in /etc (passwd and package managers make them), seen by the
    // server's start-time scan of /etc and removed right after: every command must still run.
    const transient = `/etc/bastion-priv-transient-${process.pid}-${throwaway ? 'u' : 'r'}`;
    writeFileSync(transient, 'transient', { mode: 0o600 });
    try {
      await startServer();
    } finally {
      rmSync(transient, { force: true });
    }
  }, 60_000);

  async function startServer(): Promise<void> {
    if (throwaway) {
      // Security: the roots (and the server's home) belong to the throwaway uid, as they would
      // to an ordinary user running Bastion; the sandbox maps its uid to that one.
      uid = throwawayUid();
      execFileSync('chown', ['-R', `${uid}:${uid}`, dirs.base]);
      chownSync(dirs.base, uid, uid);
      server = await startShellAs(uid, dirs);
    } else {
      uid = process.getuid?.() ?? 0;
      server = await startShell(dirs, { mode: 'cli' });
    }
    // The first command: the sandbox and its masks are made by then.
    expect(await run('echo ready', workDir('ordinary'))).toContain('ready');
  }

  afterAll(async () => {
    await server?.close();
    if (dirs) removeShellDirs(dirs);
  });

  it.skipIf(skip)(
    '[SBX-PRIV-03] leaves no setuid/setgid file: chmod u+s/g+s/4755, install -m, cp -p/-a and hard links of a setuid binary, tar -xp',
    async () => {
      const dir = workDir('shell');
      const suid = SETUID_BINARY ?? '/bin/true';
      const out = await run(
        [
          'cp /bin/true t-us && chmod u+s t-us',
          'cp /bin/true t-gs && chmod g+s t-gs',
          'cp /bin/true t-4755 && chmod 4755 t-4755',
          'cp /bin/true t-6755 && chmod 6755 t-6755',
          'install -m 4755 /bin/true t-install',
          'install -m 2755 /bin/true t-install-g',
          `cp --preserve=mode ${suid} t-cp-p`,
          `cp -a ${suid} t-cp-a`,
          `ln ${suid} t-hardlink`,
          `ln -s ${suid} t-symlink`,
          'mkdir d-gs && chmod g+s d-gs; mkdir -m 2775 d-mkdir',
          'cp /bin/true t-tar && tar --mode=u+s,g+s -cf s.tar t-tar && mkdir x && tar -xpf s.tar -C x',
          'echo attempts-done',
        ].join('; '),
        dir,
      );
      expect(out).toContain('attempts-done');
      // The commands ran (the files are there); only the privilege is missing.
      for (const file of ['t-us', 't-4755', 't-install', 't-cp-p', 'x/t-tar'])
        expect(existsSync(path.join(dir, file)), file).toBe(true);
      expect(privilegeLeftIn(dir)).toEqual([]);
      // Files the sandbox made belong to the server's uid on the host.
      expect(lstatSync(path.join(dir, 't-us')).uid).toBe(uid);
    },
  );

  it.skipIf(skip)(
    '[SBX-PRIV-04] [SBX-PRIV-05] leaves no setuid file, device node or file capability through raw syscalls (os.chmod/fchmod, open O_CREAT|O_TMPFILE 04755, mknod char/block/whiteout/04755, renameat2 RENAME_WHITEOUT, setxattr security.capability)',
    async () => {
      const dir = workDir('syscalls');
      const out = await run(`python3 ../leave-privilege.py "$PWD"; echo "exit=$?"`, dir);
      expect(out).toContain('exit=0');
      expect(out).toContain('os.chmod 4755:');
      expect(out).toContain('setxattr security.capability:');
      for (const file of ['py-chmod', 'py-fchmod', 'py-cap'])
        expect(existsSync(path.join(dir, file)), file).toBe(true);
      expect(privilegeLeftIn(dir)).toEqual([]);
    },
  );

  it.skipIf(skip || SETCAP === undefined)(
    '[SBX-PRIV-05] leaves no file capability: setcap cap_setuid+ep on a copy of bash',
    async () => {
      const dir = workDir('setcap');
      const out = await run(
        `cp /bin/bash b && ${SETCAP} cap_setuid,cap_dac_override+ep b; ${SETCAP} cap_setuid+eip b; echo setcap-done`,
        dir,
      );
      expect(out).toContain('setcap-done');
      expect(existsSync(path.join(dir, 'b'))).toBe(true);
      expect(privilegeLeftIn(dir)).toEqual([]);
    },
  );

  it.skipIf(skip || process.arch !== 'x64')(
    '[SBX-PRIV-06] cannot get around the filter: i386 int 0x80 chmod, x32 syscall numbers, openat2 with a mode, io_uring',
    async () => {
      const dir = workDir('bypass');
      const out = await run(
        'python3 ../leave-privilege.py "$PWD" int80; echo "int80-exit=$?"; python3 ../leave-privilege.py "$PWD" | grep -E "x32|openat2|io_uring"',
        dir,
      );
      // The process making an i386 syscall is killed: SIGSYS (128 + 31) by the filter, or
      // SIGSEGV (128 + 11) on a kernel without the int 0x80 gate (ia32_emulation off).
      expect(out).toMatch(/int80-exit=(159|139)/);
      expect(out).toMatch(/io_uring_setup: Function not implemented/);
      expect(out).toMatch(/openat2 O_CREAT 4755: Function not implemented/);
      expect(existsSync(path.join(dir, 'int80'))).toBe(true);
      expect(privilegeLeftIn(dir)).toEqual([]);
    },
  );

  it.skipIf(skip)(
    "[SBX-PRIV-07] cannot change the host's device nodes: chmod, touch -d and chmod to the same mode of /dev/null, zero, full, random, urandom, tty",
    async () => {
      const nodes = ['null', 'zero', 'full', 'random', 'urandom', 'tty'].map((n) => `/dev/${n}`);
      const before = nodes.map((n) => lstatSync(n, { bigint: true }));
      try {
        const out = await run(
          [
            // A real mode change, then same-mode chmods and set times: each moves the ctime of
            // whatever inode it reaches, so the host's nodes prove they were not reached.
            'chmod 600 /dev/full',
            `chmod 666 ${nodes.join(' ')}`,
            `touch -d 2001-01-01 ${nodes.join(' ')}`,
            'echo attack-done',
          ].join('; '),
          workDir('ordinary'),
        );
        expect(out).toContain('attack-done');
        const after = nodes.map((n) => lstatSync(n, { bigint: true }));
        for (const [i, node] of nodes.entries()) {
          expect(after[i]?.mode, node).toBe(before[i]?.mode);
          expect(after[i]?.uid, node).toBe(before[i]?.uid);
          expect(after[i]?.ctimeNs, node).toBe(before[i]?.ctimeNs);
        }
        // The devices still work inside, and the next command finds /dev/full's mode put back.
        const use = await run(
          'echo x > /dev/null && head -c 8 /dev/urandom | wc -c && head -c 3 /dev/zero | wc -c; ' +
            '(echo x > /dev/full) 2>&1 | grep -c "No space"; stat -c "full=%a" /dev/full',
          workDir('ordinary'),
        );
        expect(use).toMatch(/^8\n3\n1\nfull=666$/m);
      } finally {
        // Should the boundary fail, never leave the test machine with broken device nodes.
        for (const [i, node] of nodes.entries()) {
          const mode = Number((before[i]?.mode ?? 0o20666n) & 0o7777n);
          if ((lstatSync(node).mode & 0o7777) !== mode)
            execFileSync('chmod', [mode.toString(8), node]);
        }
      }
    },
  );

  it.skipIf(skip)(
    '[SBX-PRIV-03] a session leaves no setuid/setgid file or device node either',
    async () => {
      const dir = workDir('session');
      const started = await callTool(server.client, 'start_session', { command: 'bash', cwd: dir });
      expect(started.isError).toBe(false);
      const sessionId = String(started.data.sessionId);
      for (const input of [
        'cp /bin/true s-us && chmod u+s s-us',
        'install -m 6755 /bin/true s-install',
        'mknod s-null c 1 3',
        'mknod s-wh c 0 0',
        'python3 ../leave-privilege.py "$PWD" >/dev/null; echo session-$((6*7))',
      ])
        expect((await callTool(server.client, 'send_input', { sessionId, input })).isError).toBe(
          false,
        );
      const { output } = await readUntil(server.client, sessionId, (o) => o.includes('session-42'));
      expect(output).toContain('session-42');
      await callTool(server.client, 'kill_session', { sessionId });
      expect(existsSync(path.join(dir, 's-us'))).toBe(true);
      expect(privilegeLeftIn(dir)).toEqual([]);
    },
  );

  it.skipIf(skip)(
    '[SBX-PRIV-03] ordinary work still runs: cp -a, chmod 755/+t, mkdir, mkfifo, tar, npm-like bins, git init',
    async () => {
      const dir = workDir('ordinary');
      writeFileSync(path.join(dir, 'seed.txt'), 'seed\n');
      const out = await run(
        [
          'set -e',
          'mkdir -p src/a/b && echo hi > src/a/b/f.txt && chmod 640 src/a/b/f.txt',
          'cp -a src copy',
          'printf "#!/bin/sh\\necho tool\\n" > tool.sh && chmod 755 tool.sh && ./tool.sh',
          'mkdir shared && chmod 1777 shared',
          'mkfifo pipe',
          'tar -cf a.tar src && mkdir untar && tar -xpf a.tar -C untar',
          'mkdir -p node_modules/pkg/bin node_modules/.bin',
          'printf "#!/usr/bin/env node\\n" > node_modules/pkg/bin/cli.js && chmod +x node_modules/pkg/bin/cli.js',
          'ln -s ../pkg/bin/cli.js node_modules/.bin/pkg',
          'touch created.txt && chmod u=rw,go=r created.txt',
          ...(HAS_GIT
            ? [
                'git init -q repo && cd repo && echo x > x && git add x',
                'git -c user.name=t -c user.email=t@example.invalid commit -qm init && cd ..',
              ]
            : []),
          'echo ordinary-done',
        ].join('\n'),
        dir,
      );
      expect(out).toContain('tool');
      expect(out).toContain('ordinary-done');
      const mode = (p: string) => lstatSync(path.join(dir, p)).mode & 0o7777;
      expect(mode('copy/a/b/f.txt')).toBe(0o640);
      expect(mode('untar/src/a/b/f.txt')).toBe(0o640);
      expect(mode('tool.sh')).toBe(0o755);
      expect(mode('shared')).toBe(0o1777);
      expect(lstatSync(path.join(dir, 'pipe')).isFIFO()).toBe(true);
      expect(lstatSync(path.join(dir, 'node_modules/.bin/pkg')).isSymbolicLink()).toBe(true);
      expect(existsSync(path.join(dir, 'created.txt'))).toBe(true);
      if (HAS_GIT) expect(existsSync(path.join(dir, 'repo/.git/HEAD')), out).toBe(true);
      expect(privilegeLeftIn(dir)).toEqual([]);
    },
  );
});
