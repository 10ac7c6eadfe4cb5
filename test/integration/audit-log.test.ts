import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditDir } from '../../src/audit/index.js';
import { startServer, textOf } from '../helpers/mcp-client.js';
import { spawnRaw } from './raw-stdio.js';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

function tempHome(): { home: string; root: string; logs: string } {
  const home = realpathSync(mkdtempSync(path.join(tmpdir(), 'bastion-audit-it-')));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const root = path.join(home, 'ws');
  mkdirSync(root);
  return { home, root, logs: path.join(home, 'logs') };
}

type Rec = Record<string, unknown> & { args: Record<string, unknown> };

function records(logs: string): Rec[] {
  const file = path.join(logs, 'audit.jsonl');
  if (!existsSync(file)) return [];
  const out: Rec[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      out.push(JSON.parse(line) as Rec);
    } catch {
      // a torn last line after a kill: verification reports it as where the log ends
    }
  }
  return out;
}

function call(id: string, name: string, args: Record<string, unknown>): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })}\n`;
}

describe('the audit log of a real server', () => {
  it('kill -9 during a burst of writes: every written file has its intent, and the log verifies', async () => {
    const { home, root, logs } = tempHome();
    const server = spawnRaw('files', ['--root', root, '--home', home]);
    await server.initialize();
    const WRITES = 400;
    server.write(
      Array.from({ length: WRITES }, (_, i) =>
        call(`w${i}`, 'write_file', { path: path.join(root, `f${i}.txt`), content: `file ${i}\n` }),
      ).join(''),
    );
    // Some calls are done and others in flight when the process dies.
    await server.waitFor((reply) => reply.id === 'w40');
    server.child.kill('SIGKILL');
    await server.exited;
    const intents = new Set(
      records(logs)
        .filter((r) => r.phase === 'intent' && r.tool === 'write_file')
        .map((r) => r.args.path),
    );
    let written = 0;
    for (let i = 0; i < WRITES; i += 1) {
      const file = path.join(root, `f${i}.txt`);
      if (!existsSync(file)) continue;
      written += 1;
      expect(intents.has(file), `f${i}.txt was written: its intent is on record`).toBe(true);
    }
    expect(written).toBeGreaterThan(40);
    const report = verifyAuditDir({ dir: logs });
    expect(report.problems).toEqual([]);
  });

  it('1,000 concurrent calls give 1,000 well-formed, chained calls (intent and outcome each)', async () => {
    const { home, root, logs } = tempHome();
    const server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        server.client.callTool({
          name: 'write_file',
          arguments: { path: path.join(root, `c${i}.txt`), content: `${i}` },
        }),
      ),
    );
    await server.close();
    expect(results.filter((r) => r.isError)).toEqual([]);
    const lines = readFileSync(path.join(logs, 'audit.jsonl'), 'utf8').trim().split('\n');
    const all = lines.map((l) => JSON.parse(l) as Rec).filter((r) => r.tool === 'write_file');
    const intents = all.filter((r) => r.phase === 'intent');
    const outcomes = all.filter((r) => r.phase === 'outcome');
    expect(intents).toHaveLength(1_000);
    expect(outcomes).toHaveLength(1_000);
    expect(new Set(intents.map((r) => r.call)).size).toBe(1_000);
    expect(new Set(outcomes.map((r) => r.call))).toEqual(new Set(intents.map((r) => r.call)));
    expect(outcomes.every((r) => r.outcome === 'ok')).toBe(true);
    expect(verifyAuditDir({ dir: logs })).toMatchObject({ ok: true, streams: 1 });
  });

  it('a log deleted while serving is made again, saying so, and no call goes unrecorded', async () => {
    const { home, root, logs } = tempHome();
    const server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
    await server.client.callTool({ name: 'list_allowed_directories', arguments: {} });
    rmSync(path.join(logs, 'audit.jsonl'));
    const target = path.join(root, 'after-delete.txt');
    const result = await server.client.callTool({
      name: 'write_file',
      arguments: { path: target, content: 'x' },
    });
    expect(result.isError).toBeFalsy();
    const after = records(logs);
    expect(after.find((r) => r.phase === 'intent' && r.args.path === target)).toBeDefined();
    expect(after.find((r) => r.tool === 'audit_log_recreated')).toBeDefined();
    // The deletion itself stays visible to verification: the first records are gone.
    await server.close();
    expect(verifyAuditDir({ dir: logs }).problems.length).toBeGreaterThan(0);
  });

  it('a log that cannot be made again refuses calls (no effect), says why once, and recovers', async () => {
    const { home, root, logs } = tempHome();
    const server = await startServer({ server: 'files', args: ['--root', root, '--home', home] });
    // The audit folder replaced by a plain file: the log can be neither written nor recreated.
    rmSync(logs, { recursive: true });
    writeFileSync(logs, 'not a folder');
    const markers = [1, 2, 3].map((i) => path.join(root, `refused-${i}.txt`));
    for (const marker of markers) {
      const refused = await server.client.callTool({
        name: 'write_file',
        arguments: { path: marker, content: 'must not exist' },
      });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(/The audit log cannot be written .*nothing was done/);
    }
    for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
    expect(server.stderr().match(/the audit log cannot be written/g)).toHaveLength(1);
    rmSync(logs);
    const target = path.join(root, 'recovered.txt');
    const ok = await server.client.callTool({
      name: 'write_file',
      arguments: { path: target, content: 'y' },
    });
    expect(ok.isError).toBeFalsy();
    expect(existsSync(target)).toBe(true);
    expect(server.stderr()).toContain('the audit log is writable again');
    const after = records(logs);
    expect(after.find((r) => r.phase === 'intent' && r.args.path === target)).toBeDefined();
    expect(after.find((r) => r.tool === 'audit_log_recovered')?.details).toMatchObject({
      failures: 3,
    });
    await server.close();
  });

  it('redacts planted secrets in arguments, command text, env values, tool and client names, and outputs', async () => {
    const { home, root, logs } = tempHome();
    const envSecret = `EnvOnly${Date.now()}Value`;
    const sendgrid = `SG.${'a1B2c3D4e5F6g7H8i9J0kL'}.${'m1N2o3P4q5R6s7T8u9V0w1X2y3Z4a5B6c7D8e9F0g1H'}`;
    const mysql = `MyPw${Date.now()}`;
    const github = `ghp_${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'}`;
    const fileSecret = `xoxb-1234567890-1234567890123-${'AbCdEfGhIjKlMnOpQrStUvWx'}`;
    writeFileSync(path.join(root, 'creds.txt'), `slack ${fileSecret}\n`);
    const server = await startServer({
      server: 'files',
      args: ['--root', root, '--home', home],
      env: { DEPLOY_API_TOKEN: envSecret },
    });
    await server.client.callTool({
      name: 'write_file',
      arguments: {
        path: path.join(root, 'notes.txt'),
        content: `key ${sendgrid}; run mysql -uroot -p${mysql} prod; token ${envSecret}; ${github}`,
      },
    });
    await server.client.callTool({
      name: 'read_text_file',
      arguments: { path: path.join(root, 'creds.txt') },
    });
    // An unknown tool named like a token: answered -32602 (as the spec says), recorded redacted.
    await expect(server.client.callTool({ name: github, arguments: {} })).rejects.toThrow(
      /not found/,
    );
    await server.close();
    const raw = spawnRaw('files', ['--root', root, '--home', home]);
    raw.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: `agent ${github}`, version: '1' } } })}\n`,
    );
    await raw.waitFor((r) => r.id === 'init');
    raw.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    raw.write(call('l', 'list_allowed_directories', {}));
    await raw.waitFor((r) => r.id === 'l');
    raw.end();
    await raw.exited;
    const text = readFileSync(path.join(logs, 'audit.jsonl'), 'utf8');
    for (const secret of [envSecret, sendgrid, mysql, github, fileSecret])
      expect(text, secret).not.toContain(secret);
    expect(records(logs).some((r) => String(r.client).startsWith('agent '))).toBe(true);
    expect(text).toContain('[REDACTED]');
  });
});
