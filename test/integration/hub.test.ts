import { request as httpRequest } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyInitialize, type ProtocolEra } from '../helpers/mcp-client.js';
import {
  connectHubClient,
  createToken,
  makeHubDirs,
  removeHubDirs,
  resultText,
  runCli,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from './hub-harness.js';

const ERAS: ProtocolEra[] = ['legacy', 'modern'];
const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

// A raw POST, for what SDK clients never send (foreign Host, huge bodies, bad tokens).
function rawPost(
  url: string,
  pathname: string,
  headers: Record<string, string>,
  body: string | Buffer = PING,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: pathname,
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    // The hub may answer (413) and close before a huge body is fully written: a write error
    // then is expected, and the answer already read decides; without an answer it is a failure.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
      else setTimeout(() => reject(new Error(`connection ${err.code} before an answer`)), 2000);
    });
    req.on('socket', (socket) => socket.on('error', () => undefined));
    req.end(body);
  });
}

async function healthz(url: string): Promise<number> {
  return (await fetch(`${url}/healthz`)).status;
}

describe('the hub over real loopback HTTP', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;
  let rw: string;
  let ro: string;
  let shellToken: string;
  let other: string;
  let monitor: string;

  beforeAll(async () => {
    dirs = makeHubDirs({
      hub: {
        rateLimit: {
          requestsPerMinute: 100_000,
          maxConcurrent: 64,
          unauthenticatedPerMinute: 1000,
        },
      },
    });
    rw = createToken(dirs, 'writer', ['--servers', 'files']);
    ro = createToken(dirs, 'reader', ['--servers', 'files', '--read-only']);
    shellToken = createToken(dirs, 'sheller', ['--servers', 'shell']);
    other = createToken(dirs, 'intruder', ['--servers', 'shell,files']);
    monitor = createToken(dirs, 'monitor', ['--servers', 'dashboard']);
    hub = await startHub(dirs);
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    removeHubDirs(dirs);
  });

  it('/healthz answers without a token', async () => {
    const res = await fetch(`${hub.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  describe.each(ERAS)('a %s-era client', (era) => {
    it('lists and calls files tools with a valid token, and the audit says who called', async () => {
      const client = await connectHubClient(hub.url, 'files', { era, token: rw });
      try {
        expect(client.getProtocolEra()).toBe(era);
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('write_file');
        const file = path.join(dirs.root, `hello-${era}.txt`);
        const wrote = await client.callTool({
          name: 'write_file',
          arguments: { path: file, content: `hi ${era}` },
        });
        expect(wrote.isError).toBeFalsy();
        expect(readFileSync(file, 'utf8')).toBe(`hi ${era}`);
        const read = await client.callTool({ name: 'read_text_file', arguments: { path: file } });
        expect(resultText(read)).toContain(`hi ${era}`);
        // Outside every root: refused, and the canary's content never reaches the client.
        const escape = await client.callTool({
          name: 'read_text_file',
          arguments: { path: dirs.canary },
        });
        expect(escape.isError).toBe(true);
        expect(resultText(escape)).not.toContain('CANARY');
      } finally {
        await client.close();
      }
      const records = hub
        .auditRecords()
        .filter((r) => r.tool === 'write_file' && r.phase === 'outcome' && r.era === era);
      expect(records.length).toBeGreaterThanOrEqual(1);
      expect(records.at(-1)).toMatchObject({
        principal: 'writer',
        transport: 'http',
        address: '127.0.0.1',
      });
    });

    it('a read-only token sees only read-only tools and cannot write', async () => {
      const client = await connectHubClient(hub.url, 'files', { era, token: ro });
      try {
        const { tools } = await client.listTools();
        const names = tools.map((t) => t.name);
        expect(names).toContain('read_text_file');
        expect(names).not.toContain('write_file');
        expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
        const target = path.join(dirs.root, `ro-${era}.txt`);
        const refused = await client
          .callTool({ name: 'write_file', arguments: { path: target, content: 'x' } })
          .catch((err: Error) => ({
            isError: true,
            content: [{ type: 'text', text: err.message }],
          }));
        expect(refused.isError).toBe(true);
        expect(existsSync(target)).toBe(false);
      } finally {
        await client.close();
      }
    });

    it("refuses a connection without a token, with a wrong one, and with another server's", async () => {
      await expect(connectHubClient(hub.url, 'files', { era })).rejects.toThrow();
      await expect(
        connectHubClient(hub.url, 'files', {
          era,
          token: 'bst_nothere_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        }),
      ).rejects.toThrow();
      await expect(
        connectHubClient(hub.url, 'files', { era, token: shellToken }),
      ).rejects.toThrow();
    });

    it('keeps a shell session to the token that started it', async () => {
      const owner = await connectHubClient(hub.url, 'shell', { era, token: shellToken });
      const intruder = await connectHubClient(hub.url, 'shell', { era, token: other });
      const marker = path.join(dirs.root, `intruder-${era}`);
      try {
        const started = await owner.callTool({
          name: 'start_session',
          arguments: { command: 'cat' },
        });
        expect(started.isError).toBeFalsy();
        const sessionId = (started.structuredContent as { sessionId: string }).sessionId;
        const listed = await intruder.callTool({ name: 'list_sessions', arguments: {} });
        expect(resultText(listed)).not.toContain(sessionId);
        const sent = await intruder.callTool({
          name: 'send_input',
          arguments: { sessionId, input: `touch ${marker}` },
        });
        expect(sent.isError).toBe(true);
        const read = await intruder.callTool({ name: 'read_output', arguments: { sessionId } });
        expect(read.isError).toBe(true);
        const killed = await intruder.callTool({ name: 'kill_session', arguments: { sessionId } });
        expect(killed.isError).toBe(true);
        // The owner still has it, and the intruder's input never reached it.
        const own = await owner.callTool({ name: 'list_sessions', arguments: {} });
        expect(resultText(own)).toContain(sessionId);
        expect(existsSync(marker)).toBe(false);
        await owner.callTool({ name: 'kill_session', arguments: { sessionId } });
      } finally {
        await owner.close();
        await intruder.close();
      }
    });
  });

  it('answers 401 with WWW-Authenticate: Bearer, and 403 for another scope', async () => {
    const none = await rawPost(hub.url, '/mcp/files', {});
    expect(none.status).toBe(401);
    expect(String(none.headers['www-authenticate'])).toMatch(/^Bearer /);
    const wrong = await rawPost(hub.url, '/mcp/files', { authorization: `Bearer ${rw}x` });
    expect(wrong.status).toBe(401);
    expect(String(wrong.headers['www-authenticate'])).toContain('invalid_token');
    const scope = await rawPost(hub.url, '/mcp/shell', { authorization: `Bearer ${rw}` });
    expect(scope.status).toBe(403);
  });

  it('refuses a foreign Host and a foreign Origin before the token is even looked at', async () => {
    const port = new URL(hub.url).port;
    const host = await rawPost(hub.url, '/mcp/files', {
      host: `evil.example:${port}`,
      authorization: `Bearer ${rw}`,
    });
    expect(host.status).toBe(403);
    const rebound = await rawPost(hub.url, '/mcp/files', {
      host: `localhost.evil.example:${port}`,
      authorization: `Bearer ${rw}`,
    });
    expect(rebound.status).toBe(403);
    const wrongPort = await rawPost(hub.url, '/mcp/files', {
      host: '127.0.0.1:1',
      authorization: `Bearer ${rw}`,
    });
    expect(wrongPort.status).toBe(403);
    const origin = await rawPost(hub.url, '/mcp/files', {
      origin: 'https://evil.example',
      authorization: `Bearer ${rw}`,
    });
    expect(origin.status).toBe(403);
    const nullOrigin = await rawPost(hub.url, '/mcp/files', {
      origin: 'null',
      authorization: `Bearer ${rw}`,
    });
    expect(nullOrigin.status).toBe(403);
    const ownOrigin = await rawPost(hub.url, '/mcp/files', {
      origin: `http://localhost:${port}`,
      authorization: `Bearer ${rw}`,
    });
    expect(ownOrigin.status).not.toBe(403);
  });

  // Posts a body over the 4 MiB limit and waits for the answer without pushing more: with a
  // declared length of 10 MiB nothing is sent (the hub refuses on the header alone); chunked,
  // 4 MiB + 64 KiB is sent, 64 KiB at a time. A client that keeps pushing after an early answer
  // may see the connection reset instead: the server drains a refused body only briefly.
  function postBigBody(declareLength: boolean): Promise<number> {
    const target = new URL(hub.url);
    return new Promise<number>((resolve, reject) => {
      let answered = false;
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: '/mcp/files',
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${rw}`,
            ...(declareLength ? { 'content-length': String(10 * 1024 * 1024) } : {}),
          },
        },
        (r) => {
          answered = true;
          r.resume();
          resolve(r.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!answered) reject(new Error(`connection ${err.code ?? err.message} before an answer`));
      });
      if (declareLength) {
        req.flushHeaders();
        return;
      }
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const send = (left: number): void => {
        if (answered || left === 0) return;
        req.write(chunk, () => setImmediate(() => send(left - 1)));
      };
      send(65);
    });
  }

  it('answers a 10 MiB body with 413 and stays up', async () => {
    // Declared length over the limit: refused before the body is read.
    expect(await postBigBody(true)).toBe(413);
    // Chunked: cut off once the limit is passed.
    expect(await postBigBody(false)).toBe(413);
    expect(await healthz(hub.url)).toBe(200);
  });

  it('serves /metrics to a dashboard token only', async () => {
    expect((await fetch(`${hub.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${rw}` } })).status,
    ).toBe(403);
    const res = await fetch(`${hub.url}/metrics`, {
      headers: { authorization: `Bearer ${monitor}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /bastion_tool_calls_total\{server="files",tool="write_file",decision="allow"\} [1-9]/,
    );
    // A read is one 'complete' record, a write an intent and an outcome: each counts once.
    expect(text).toMatch(
      /bastion_tool_calls_total\{server="files",tool="read_text_file",decision="allow"\} [1-9]/,
    );
    expect(text).toContain('bastion_tool_call_duration_seconds_bucket');
    expect(text).toMatch(
      /bastion_http_auth_refused_total\{route="\/mcp\/files",reason="missing"\} [1-9]/,
    );
    expect(text).toContain('bastion_mcp_sessions_open');
  });

  type TokenLine = { tokenName: string; expiresAt?: string };

  // Polls (bounded) until the status a token gets matches; returns the last status seen.
  async function statusUntil(
    token: string,
    done: (status: number) => boolean,
    ms: number,
  ): Promise<number> {
    const deadline = Date.now() + ms;
    let status = 0;
    do {
      status = (await rawPost(hub.url, '/mcp/files', { authorization: `Bearer ${token}` })).status;
      if (done(status)) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    return status;
  }

  it('sees a new and then a revoked token within 2 seconds, without a restart', async () => {
    const doomed = createToken(dirs, 'doomed', ['--servers', 'files']);
    expect(await statusUntil(doomed, (s) => s !== 401, 2500)).not.toBe(401);
    expect(runCli(['token', 'revoke', 'doomed', '--home', dirs.home]).status).toBe(0);
    expect(await statusUntil(doomed, (s) => s === 401, 2500)).toBe(401);
  });

  it('refuses a rotated secret, and an expired token', async () => {
    const old = createToken(dirs, 'turning', ['--servers', 'files']);
    expect(await statusUntil(old, (s) => s !== 401, 2500)).not.toBe(401);
    const rotated = runCli(['token', 'rotate', 'turning', '--home', dirs.home]);
    expect(rotated.status).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(await statusUntil(fresh, (s) => s !== 401, 2500)).not.toBe(401);
    expect(await statusUntil(old, (s) => s === 401, 100)).toBe(401);
    const brief = createToken(dirs, 'brief', ['--servers', 'files', '--expires', '3s']);
    expect(await statusUntil(brief, (s) => s !== 401, 2500)).not.toBe(401);
    // Once the clock is past its expiry (read from the store, not guessed from a sleep), the
    // very next request is refused: expiry is checked on every request.
    const listed = runCli(['token', 'list', '--json', '--home', dirs.home]).stdout.split('\n');
    const info = listed.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as TokenLine);
    const expiresAt = Date.parse(info.find((t) => t.tokenName === 'brief')?.expiresAt ?? '');
    expect(Number.isFinite(expiresAt)).toBe(true);
    while (Date.now() <= expiresAt) await new Promise((r) => setTimeout(r, 50));
    expect(
      (await rawPost(hub.url, '/mcp/files', { authorization: `Bearer ${brief}` })).status,
    ).toBe(401);
  });

  it('closes a 2025-era session on DELETE: its id is gone afterwards', async () => {
    const init = await rawPost(
      hub.url,
      '/mcp/files',
      { authorization: `Bearer ${rw}` },
      JSON.stringify(legacyInitialize('raw')),
    );
    expect(init.status).toBe(200);
    const sessionId = String(init.headers['mcp-session-id']);
    expect(sessionId).toMatch(/[0-9a-f-]{36}/);
    const headers = {
      authorization: `Bearer ${rw}`,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-06-18',
    };
    // Another token cannot use (or confirm) the session.
    const stolen = await rawPost(hub.url, '/mcp/files', {
      ...headers,
      authorization: `Bearer ${other}`,
    });
    expect(stolen.status).toBe(404);
    const del = await fetch(`${hub.url}/mcp/files`, { method: 'DELETE', headers });
    expect(del.status).toBe(200);
    expect((await rawPost(hub.url, '/mcp/files', headers)).status).toBe(404);
  });
});

describe('hub rate limits', () => {
  let dirs: HubTestDirs;
  let hub: RunningTestHub;

  beforeAll(async () => {
    dirs = makeHubDirs({
      hub: { rateLimit: { requestsPerMinute: 20, maxConcurrent: 8, unauthenticatedPerMinute: 5 } },
    });
    hub = await startHub(dirs);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    removeHubDirs(dirs);
  });

  it("answers 429 with Retry-After past a token's budget, and tokens do not share a bucket", async () => {
    const a = createToken(dirs, 'alpha', ['--servers', 'files']);
    const b = createToken(dirs, 'beta', ['--servers', 'files']);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 25; i++) {
      const res = await rawPost(hub.url, '/mcp/files', { authorization: `Bearer ${a}` });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = String(res.headers['retry-after']);
    }
    expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(
      (await rawPost(hub.url, '/mcp/files', { authorization: `Bearer ${b}` })).status,
    ).not.toBe(429);
  });

  it('bounds token guessing per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(
        (
          await rawPost(hub.url, '/mcp/files', {
            authorization: `Bearer bst_guess${i}_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });
});

describe('binding', () => {
  it('drops a client that stalls in its headers', async () => {
    const dirs = makeHubDirs({ hub: { requestTimeoutMs: 2000 } });
    const hub = await startHub(dirs);
    const target = new URL(hub.url);
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(target.port), target.hostname, () =>
        socket.write('POST /mcp/files HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
      );
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 20_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on('error', () => undefined);
      socket.resume();
    });
    await hub.stop();
    removeHubDirs(dirs);
    expect(closed).toBe(true);
  }, 60_000);

  it('refuses a non-loopback address without TLS, unless a TLS proxy is declared', async () => {
    const dirs = makeHubDirs();
    try {
      const refused = runCli(['hub', '--home', dirs.home, '--listen', '0.0.0.0:0']);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('--behind-tls-proxy');
      const hub = await startHub(dirs, ['--listen', '0.0.0.0:0', '--behind-tls-proxy']);
      expect(await healthz(hub.url)).toBe(200);
      expect(await hub.stop()).toBe(0);
    } finally {
      removeHubDirs(dirs);
    }
  }, 60_000);

  it('stops gracefully on SIGTERM: the state file goes and the audit log verifies', async () => {
    const dirs = makeHubDirs();
    try {
      const token = createToken(dirs, 'one', ['--servers', 'files']);
      const hub = await startHub(dirs);
      expect(existsSync(path.join(dirs.home, 'logs', 'hub.json'))).toBe(true);
      const client = await connectHubClient(hub.url, 'files', { era: 'modern', token });
      await client.callTool({ name: 'list_allowed_directories', arguments: {} });
      await client.close();
      expect(await hub.stop()).toBe(0);
      expect(existsSync(path.join(dirs.home, 'logs', 'hub.json'))).toBe(false);
      expect(runCli(['audit', 'verify', '--home', dirs.home]).status).toBe(0);
    } finally {
      removeHubDirs(dirs);
    }
  }, 60_000);
});
