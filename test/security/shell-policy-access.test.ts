import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  makeShellDirs,
  removeShellDirs,
  startShell,
  type ShellTestDirs,
  type ShellTestServer,
} from '../integration/shell-harness.js';

describe('shell server: the policy is out of the agent’s reach, and everything is audited', () => {
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

  it('[SH-POL-01] no tool can read or change the policy or the config', async () => {
    const { tools } = await server.client.listTools();
    for (const tool of tools) {
      expect(tool.name).not.toMatch(/polic|config|setting|rule|allow|deny|permission/i);
      const keys = Object.keys(tool.inputSchema.properties ?? {});
      for (const key of keys)
        expect(key, `${tool.name}.${key}`).not.toMatch(/polic|config|rule|allow|deny|sandbox|env/i);
      expect(tool.description ?? '', tool.name).toContain('can read or change the command policy');
    }
    // Extra arguments smuggled into a call change nothing: touch stays denied.
    const marker = path.join(dirs.root, 'smuggled-marker');
    const res = await server.client.callTool({
      name: 'run_command',
      arguments: {
        command: `touch ${marker}`,
        policy: { mode: 'none' },
        config: { shell: { policy: { deny: [] } } },
      },
    });
    expect(res.isError).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('[SH-AUD-01] every command, allowed, refused or invalid, is one audit record', async () => {
    const tag = `aud-${Date.now()}`;
    const calls = [
      { command: `echo ${tag}-allowed` },
      { command: `touch ${tag}-denied` },
      { command: `echo ${tag}-outside`, cwd: dirs.outside },
      { command: `echo ${tag}-timeout`, timeoutMs: 10_000_000 },
    ];
    for (const args of calls) await callTool(server.client, 'run_command', args);
    const all = server.auditRecords().filter((r) => JSON.stringify(r.args).includes(tag));
    // Each call: an intent before it ran and an outcome after, with the same call id.
    const records = all.filter((r) => r.phase === 'outcome');
    expect(records).toHaveLength(calls.length);
    const intents = all.filter((r) => r.phase === 'intent');
    expect(intents.map((r) => r.call).sort()).toEqual(records.map((r) => r.call).sort());
    const byCommand = (needle: string) =>
      records.find((r) => JSON.stringify(r.args).includes(needle));
    expect(byCommand(`${tag}-allowed`)).toMatchObject({ decision: 'allow', outcome: 'ok' });
    expect(byCommand(`${tag}-allowed`)?.details).toMatchObject({ exitCode: 0, cwd: dirs.root });
    expect(byCommand(`${tag}-denied`)).toMatchObject({ decision: 'deny', outcome: 'denied' });
    expect(typeof byCommand(`${tag}-denied`)?.rule).toBe('string');
    expect(byCommand(`${tag}-outside`)).toMatchObject({ decision: 'deny' });
    expect(byCommand(`${tag}-timeout`)).toMatchObject({ decision: 'error' });
  });
  it('[SH-AUD-02] secrets in commands never reach the audit log or the logs; long ones are cut', async () => {
    const v = `Zq${Date.now()}Xv9kLmN0pQrS`;
    const secrets = [
      `ghp_${v}${v}`,
      `sk_live_${v}`,
      `glpat-${v}${v}`,
      `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi${v}.${v}`,
      `pw-${v}`,
    ];
    const commands = [
      `echo curl -H "Authorization: token ${secrets[0]}"`,
      `echo stripe --api-key ${secrets[1]}`,
      `echo git clone https://oauth2:${secrets[2]}@gitlab.example/x`,
      `echo ${secrets[3]}`,
      `echo psql postgres://app:${secrets[4]}@db/prod; DB_PASS=${secrets[4]} true`,
      `echo mysqladmin --password ${secrets[4]}; echo curl -u admin:${secrets[4]} x`,
      `echo '-----BEGIN PGP PRIVATE KEY BLOCK-----\n${secrets[4]}\n-----END PGP PRIVATE KEY BLOCK-----'`,
    ];
    for (const command of commands) await callTool(server.client, 'run_command', { command });
    await callTool(server.client, 'run_command', { command: `echo ${'a'.repeat(50_000)}` });
    const audit = JSON.stringify(server.auditRecords());
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      expect(server.stderr()).not.toContain(secret);
    }
    expect(audit).toContain('[REDACTED]');
    expect(audit).not.toContain('a'.repeat(20_000));
  });
});
