import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  everything,
  makeShellDirs,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from '../integration/shell-harness.js';

// Everything a command printed, both streams and the summary, for canary checks.
async function run(server: ShellTestServer, command: string, cwd?: string): Promise<string> {
  const res = await callTool(server.client, 'run_command', { command, ...(cwd ? { cwd } : {}) });
  return everything(res);
}

describe('shell sandbox: the roots are the whole world', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    // A permissive policy: only the OS sandbox stands between these commands and the canary.
    dirs = makeShellDirs(() => ({ shell: { policy: { mode: 'denylist', deny: ['sudo'] } } }));
    server = await startShell(dirs, { mode: 'cli' });
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('[SH-ESC-01] cannot read a canary outside the roots by absolute path', async () => {
    for (const command of [
      `cat ${dirs.canary}`,
      `head -c 100 ${dirs.canary}`,
      `grep -r CANARY ${dirs.outside}`,
      `while read l; do echo "$l"; done < ${dirs.canary}`,
      `ls -la ${dirs.outside}`,
    ]) {
      expect(await run(server, command), command).not.toContain(dirs.secret);
    }
  });

  it('[SH-ESC-02] cannot climb out of the root with cd .. or ../', async () => {
    for (const command of [
      'cd .. && cat outside/canary.txt',
      'cat ../outside/canary.txt',
      'cd / && cat "$OLDPWD/../outside/canary.txt"',
      'cat ../*/canary.txt',
    ]) {
      expect(await run(server, command), command).not.toContain(dirs.secret);
    }
  });

  it('[SH-ESC-03] cannot write outside the roots', async () => {
    const attempts: [string, string][] = [
      ['redirect', `echo x > ${dirs.outside}/m-redirect`],
      ['tee', `echo x | tee ${dirs.outside}/m-tee`],
      ['cp', `echo x > local && cp local ${dirs.outside}/m-cp`],
      ['mv', `echo x > local2 && mv local2 ${dirs.outside}/m-mv`],
      ['relative', 'echo x > ../outside/m-relative'],
      ['append-canary', `echo tampered >> ${dirs.canary}`],
      ['home', `echo x > ${dirs.home}/m-home`],
    ];
    for (const [, command] of attempts) await run(server, command);
    for (const [name] of attempts.filter(([n]) => n !== 'append-canary' && n !== 'home')) {
      expect(existsSync(path.join(dirs.outside, `m-${name}`)), name).toBe(false);
    }
    expect(existsSync(path.join(dirs.home, 'm-home'))).toBe(false);
    expect(readFileSync(dirs.canary, 'utf8')).toBe(`${dirs.secret}\n`);
  });

  it('[SH-ESC-04] interpreters cannot read or write outside either', async () => {
    const py = `python3 -c "print(open('${dirs.canary}').read()); open('${dirs.outside}/m-py','w').write('x')"`;
    const node = `node -e "console.log(require('fs').readFileSync('${dirs.canary}','utf8')); require('fs').writeFileSync('${dirs.outside}/m-node','x')"`;
    expect(await run(server, py)).not.toContain(dirs.secret);
    expect(await run(server, node)).not.toContain(dirs.secret);
    expect(existsSync(path.join(dirs.outside, 'm-py'))).toBe(false);
    expect(existsSync(path.join(dirs.outside, 'm-node'))).toBe(false);
  });

  it('[SH-ESC-05] a symlink to the outside, made inside or planted before, leads nowhere', async () => {
    symlinkSync(dirs.outside, path.join(dirs.root, 'planted-link'));
    const made = await run(
      server,
      `ln -s ${dirs.canary} made-link; cat made-link; cat planted-link/canary.txt`,
    );
    expect(made).not.toContain(dirs.secret);
    await run(server, 'echo x > planted-link/m-link');
    expect(existsSync(path.join(dirs.outside, 'm-link'))).toBe(false);
  });

  it('[SH-ESC-06] files matching a deny pattern inside a root stay unreadable and unwritable', async () => {
    mkdirSync(path.join(dirs.root, '.ssh'), { recursive: true });
    writeFileSync(path.join(dirs.root, '.env'), `TOKEN=${dirs.secret}\n`);
    writeFileSync(path.join(dirs.root, '.ssh', 'id_ed25519'), `${dirs.secret}\n`);
    const out = await run(
      server,
      'cat .env; cat .ssh/id_ed25519; grep -r CANARY . ; cp .env copied && cat copied',
    );
    expect(out).not.toContain(dirs.secret);
    await run(server, 'echo overwritten > .env');
    expect(readFileSync(path.join(dirs.root, '.env'), 'utf8')).toBe(`TOKEN=${dirs.secret}\n`);
  });

  it('[SH-CWD-01] refuses a cwd outside the roots and runs nothing there', async () => {
    const marker = path.join(dirs.root, 'cwd-marker');
    for (const cwd of [
      dirs.outside,
      `${dirs.root}/../outside`,
      '/',
      '/etc',
      `${dirs.root}/planted-link`,
    ]) {
      const res = await callTool(server.client, 'run_command', {
        command: `touch ${marker}; cat canary.txt`,
        cwd,
      });
      expect(res.isError, cwd).toBe(true);
      expect(res.text).not.toContain(dirs.secret);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('[SH-POL-02] cannot read or rewrite the config file or the audit log', async () => {
    const before = readFileSync(dirs.configPath, 'utf8');
    const audit = path.join(dirs.home, 'logs', 'audit.jsonl');
    const out = await run(
      server,
      `cat ${dirs.configPath}; cat ${audit}; echo '{}' > ${dirs.configPath}; echo forged >> ${audit}`,
    );
    expect(out).not.toContain('"bastion"');
    expect(out).not.toContain('"stream"');
    expect(readFileSync(dirs.configPath, 'utf8')).toBe(before);
    // The command text itself is audited; what must be absent is a bare line the command appended.
    const lines = readFileSync(audit, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0);
    expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
  });
});
