import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  makeShellDirs,
  readUntil,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from '../integration/shell-harness.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

// Each entry creates `m<N>` in the root if `touch` slips past the policy; the root is writable, so
// only the policy can keep the marker away.
const DISGUISES: ((m: string) => string)[] = [
  (m) => `touch ${m}`,
  (m) => `t''ouch ${m}`,
  (m) => `t"o"uch ${m}`,
  (m) => `\\touch ${m}`,
  (m) => `$'\\x74ouch' ${m}`,
  (m) => `a=touch; $a ${m}`,
  (m) => `a=to; b=uch; $a$b ${m}`,
  (m) => `/usr/bin/touch ${m}`,
  (m) => `/usr/bin/tou?h ${m}`,
  (m) => `sh -c 'touch ${m}'`,
  (m) => `bash -c "touch ${m}"`,
  (m) => `eval touch ${m}`,
  (m) => `eval "$(echo dG91Y2g= | base64 -d) ${m}"`,
  (m) => `echo ${b64(`touch ${m}`)} | base64 -d | sh`,
  (m) => `bash <<< 'touch ${m}'`,
  (m) => `find . -maxdepth 0 -exec touch ${m} \\;`,
  (m) => `xargs touch <<< ${m}`,
  (m) => `echo ${m} | xargs touch`,
  (m) => `awk 'BEGIN{system("touch ${m}")}'`,
  (m) => `env touch ${m}`,
  (m) => `command touch ${m}`,
  (m) => `exec touch ${m}`,
  (m) => `nohup touch ${m}`,
  (m) => `timeout 5 touch ${m}`,
  (m) => `echo $(touch ${m})`,
  (m) => `f() { touch "$1"; }; f ${m}`,
  (m) => `alias t=touch; t ${m}`,
  (m) => `shopt -s expand_aliases; alias t=touch\nt ${m}`,
  (m) => `shopt -s expand_aliases; alias t='touch -c' u=touch\nu ${m}`,
  (m) => `shopt -s expand_aliases; BASH_ALIASES[t]=touch\nt ${m}`,
  (m) => `shopt -s expand_aliases; declare "BASH_ALI""ASES[t]=touch"\nt ${m}`,
  (m) => `o=expand; shopt -s "$\{o}_aliases"; x=BASH_ALI; declare "$\{x}ASES[t]=touch"\nt ${m}`,
  (m) => `bash -ic 'x=BASH_ALI; declare "$\{x}ASES[t]=touch"\nt ${m}'`,
  (m) => `source <(echo touch ${m})`,
  (m) => `t=$(printf '\\x74\\x6f\\x75\\x63\\x68'); $t ${m}`,
];

describe('command policy end to end: disguised denied commands', () => {
  let dirs: ShellTestDirs;
  let server: ShellTestServer;

  beforeAll(async () => {
    dirs = makeShellDirs(() => ({ shell: { policy: { mode: 'denylist', deny: ['touch'] } } }));
    server = await startShell(dirs, { mode: 'cli' });
  });

  afterAll(async () => {
    await server?.close();
    removeShellDirs(dirs);
  });

  it('[SH-OBF-01] no disguise of a denied command creates its marker', async () => {
    const escaped: string[] = [];
    for (const [index, disguise] of DISGUISES.entries()) {
      const command = disguise(`m${index}`);
      await callTool(server.client, 'run_command', { command });
      if (existsSync(path.join(dirs.root, `m${index}`))) escaped.push(command);
    }
    expect(escaped).toEqual([]);
  });

  it('[SH-SES-01] disguised denied commands sent to a bash session create no marker', async () => {
    const started = await callTool(server.client, 'start_session', { command: 'bash' });
    const sessionId = String(started.data.sessionId);
    const escaped: string[] = [];
    for (const [index, disguise] of DISGUISES.entries()) {
      const input = disguise(`s${index}`);
      await callTool(server.client, 'send_input', { sessionId, input });
    }
    await callTool(server.client, 'send_input', { sessionId, input: 'echo session-done' });
    await readUntil(server.client, sessionId, (o) => o.includes('session-done'));
    for (const [index, disguise] of DISGUISES.entries()) {
      if (existsSync(path.join(dirs.root, `s${index}`))) escaped.push(disguise(`s${index}`));
    }
    expect(escaped).toEqual([]);
    await callTool(server.client, 'kill_session', { sessionId });
  });

  it('[SH-SES-04] code piped into an interactive interpreter is checked like a session input', async () => {
    const escaped: string[] = [];
    const attempts: [string, string][] = [
      ['python3 -i -q', "import os; os.system('touch r0')"],
      ['python3 -qi', "__import__('subprocess').run(['touch', 'r1'])"],
      ['node -i', "require('child_process').execSync('touch r2')"],
    ];
    for (const [command, stdin] of attempts) {
      await callTool(server.client, 'run_command', { command, stdin, timeoutMs: 10_000 });
    }
    for (const name of ['r0', 'r1', 'r2']) {
      if (existsSync(path.join(dirs.root, name))) escaped.push(name);
    }
    expect(escaped).toEqual([]);
  });

  it('[SH-SES-02] a denied command split across inputs never runs', async () => {
    const started = await callTool(server.client, 'start_session', { command: 'bash' });
    const sessionId = String(started.data.sessionId);
    const splits: [string, string][] = [
      ['t\\', 'ouch p1'],
      ['echo "', '"; touch p2; echo "'],
      ["echo '", "'; touch p3; echo '"],
      ['echo $(', 'touch p4)'],
      ['cat <<EOF', 'EOF\ntouch p5'],
    ];
    for (const [first, second] of splits) {
      await callTool(server.client, 'send_input', { sessionId, input: first });
      await callTool(server.client, 'send_input', { sessionId, input: second });
    }
    await callTool(server.client, 'send_input', { sessionId, input: 'echo split-done' });
    await readUntil(server.client, sessionId, (o) => o.includes('split-done'), 5);
    await sleep(300);
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      expect(existsSync(path.join(dirs.root, name)), name).toBe(false);
    }
    await callTool(server.client, 'kill_session', { sessionId });
  });
});
