import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { legacyInitialize } from '../helpers/mcp-client.js';
import {
  connectHubClient,
  createToken,
  makeHubDirs,
  removeHubDirs,
  resultText,
  startHub,
  type HubTestDirs,
} from './hub-harness.js';

// A throw-away self-signed certificate for 127.0.0.1 and localhost (its own CA), made by openssl.
function makeCert(dirs: HubTestDirs): { cert: string; key: string } {
  const cert = path.join(dirs.home, 'hub-cert.pem');
  const key = path.join(dirs.home, 'hub-key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  return { cert, key };
}

// A fetch that trusts only the given CA (the SDK client's transport takes it as `fetch`).
function fetchTrusting(ca: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca } });
  return (input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as string, {
      ...(init as Record<string, unknown>),
      dispatcher,
    });
}

// A plain-HTTP request to a port: its status, or the error code when no HTTP answer came.
function plainGet(port: number, pathname: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: pathname, agent: false, timeout: 10_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe('the hub over TLS', () => {
  it('serves SDK clients that trust its CA, refuses plain HTTP, and checks https Origins', async () => {
    const dirs = makeHubDirs();
    const { cert, key } = makeCert(dirs);
    // makeHubDirs wrote the settings; the certificate and key are added to its hub section.
    const settings = JSON.parse(readFileSync(dirs.configPath, 'utf8')) as {
      bastion: { hub: Record<string, unknown> };
    };
    settings.bastion.hub.tls = { cert, key };
    writeFileSync(dirs.configPath, JSON.stringify(settings, null, 2), { mode: 0o600 });
    const token = createToken(dirs, 'tls', ['--servers', 'files']);
    const hub = await startHub(dirs);
    try {
      expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(hub.url).port);
      const trusted = fetchTrusting(readFileSync(cert, 'utf8'));

      for (const era of ['legacy', 'modern'] as const) {
        const client = await connectHubClient(hub.url, 'files', { era, token, fetch: trusted });
        const tools = await client.listTools();
        expect(tools.tools.map((t) => t.name)).toContain('write_file');
        const marker = path.join(dirs.root, `over-tls-${era}.txt`);
        const written = await client.callTool({
          name: 'write_file',
          arguments: { path: marker, content: `sent over TLS (${era})` },
        });
        expect(written.isError, resultText(written)).toBeFalsy();
        expect(readFileSync(marker, 'utf8')).toBe(`sent over TLS (${era})`);
        await client.close();
      }

      // A client that does not trust the certificate never gets a session (nor sends its token
      // anywhere it could be read): the handshake fails.
      await expect(
        connectHubClient(hub.url, 'files', { era: 'modern', token, fetch: fetchTrusting('') }),
      ).rejects.toThrow();

      // Plain HTTP on the TLS port gets no HTTP answer at all, let alone a served request.
      const plain = await plainGet(port, '/healthz');
      expect(['ECONNRESET', 'socket hang up', 'EPIPE']).toContain(plain);

      // The default Origin allow-list is the loopback names on the hub's own scheme: https.
      const post = (origin: string) =>
        undiciFetch(`${hub.url}/mcp/files`, {
          method: 'POST',
          dispatcher: new Agent({ connect: { ca: readFileSync(cert, 'utf8') } }),
          headers: {
            authorization: `Bearer ${token}`,
            origin,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
      expect((await post(`http://127.0.0.1:${port}`)).status).toBe(403);
      expect((await post(`https://127.0.0.1:${port}`)).status).not.toBe(403);
    } finally {
      await hub.stop();
      removeHubDirs(dirs);
    }
  }, 90_000);
});

// What the SDK client sent for one tools/call: replayed byte for byte (but its path) below.
interface CapturedCall {
  headers: Record<string, string>;
  body: string;
}

// A fetch that records the tools/call POSTs it passes on.
function capturingFetch(calls: CapturedCall[]): typeof fetch {
  return async (input, init) => {
    const body = typeof init?.body === 'string' ? init.body : undefined;
    if (body?.includes('"tools/call"')) {
      calls.push({ headers: Object.fromEntries(new Headers(init?.headers).entries()), body });
    }
    return fetch(input, init);
  };
}

describe('a slow body (slowloris)', () => {
  it('is cut off by the request timeout, with no effect, while the hub serves others', async () => {
    const dirs = makeHubDirs({ hub: { requestTimeoutMs: 2000 } });
    const token = createToken(dirs, 'slow', ['--servers', 'files']);
    const hub = await startHub(dirs);
    try {
      // Control: the very request, sent at once, writes its file.
      const calls: CapturedCall[] = [];
      const client = await connectHubClient(hub.url, 'files', {
        era: 'modern',
        token,
        fetch: capturingFetch(calls),
      });
      const control = path.join(dirs.root, 'control-marker.txt');
      const slowMarker = path.join(dirs.root, 'slow-marker.txt');
      const done = await client.callTool({
        name: 'write_file',
        arguments: { path: control, content: 'written' },
      });
      expect(done.isError, resultText(done)).toBeFalsy();
      expect(existsSync(control)).toBe(true);
      const captured = calls.at(-1);
      if (!captured) throw new Error('the client sent no tools/call');
      const body = Buffer.from(
        captured.body.replace(JSON.stringify(control), JSON.stringify(slowMarker)),
      );
      expect(body.includes(Buffer.from(JSON.stringify(slowMarker)))).toBe(true);

      const target = new URL(hub.url);
      const head = [
        'POST /mcp/files HTTP/1.1',
        `Host: ${target.host}`,
        ...Object.entries(captured.headers)
          .filter(([name]) => !['host', 'content-length', 'connection'].includes(name))
          .map(([name, value]) => `${name}: ${value}`),
        `Content-Length: ${body.length}`,
        '',
        '',
      ].join('\r\n');

      let sent = 0;
      let answer = '';
      let servedMeanwhile = false;
      const closed = await new Promise<boolean>((resolve) => {
        const socket = connect(Number(target.port), target.hostname, () => {
          socket.write(head);
          // One byte a second: the body would take minutes to arrive in full.
          const drip = setInterval(() => {
            if (sent >= body.length - 1 || socket.destroyed) return;
            socket.write(body.subarray(sent, sent + 1));
            sent += 1;
          }, 1000);
          socket.once('close', () => clearInterval(drip));
        });
        // Bounded: a hub that never cuts the client off fails here, not by hanging the suite.
        const timer = setTimeout(() => {
          socket.destroy();
          resolve(false);
        }, 30_000);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        // Meanwhile the hub answers other clients.
        setTimeout(() => {
          void client
            .callTool({ name: 'list_allowed_directories', arguments: {} })
            .then((r) => (servedMeanwhile = !r.isError));
        }, 500);
      });
      expect(closed).toBe(true);
      // Node's request timeout answers 408 and closes, long before the body could have arrived.
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      expect(sent).toBeLessThan(body.length);
      expect(servedMeanwhile).toBe(true);
      // Security: the call the slow body carried never ran, and was never let in.
      expect(existsSync(slowMarker)).toBe(false);
      expect(JSON.stringify(hub.auditRecords())).not.toContain('slow-marker');
      await client.close();
    } finally {
      await hub.stop();
      removeHubDirs(dirs);
    }
  }, 90_000);
});

describe('a graceful stop', () => {
  it('lets a call in flight finish and records its outcome before the hub exits', async () => {
    const dirs = makeHubDirs();
    const token = createToken(dirs, 'stopper', ['--servers', 'shell']);
    const hub = await startHub(dirs);
    try {
      const client = await connectHubClient(hub.url, 'shell', { era: 'modern', token });
      const answer = client.callTool({
        name: 'run_command',
        arguments: { command: 'sleep 2; echo finished-after-stop' },
      });
      // The stop comes once the call's intent is on record, i.e. while it runs (bounded wait).
      const isRunning = () =>
        hub.auditRecords().some((r) => r.tool === 'run_command' && r.phase === 'intent');
      for (let i = 0; i < 100 && !isRunning(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(isRunning()).toBe(true);
      const exited = hub.stop();
      const result = await answer;
      expect(resultText(result)).toContain('finished-after-stop');
      expect(await exited).toBe(0);
      const outcomes = hub
        .auditRecords()
        .filter((r) => r.tool === 'run_command' && r.phase === 'outcome');
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]?.outcome).toBe('ok');
      await client.close();
    } finally {
      await hub.stop();
      removeHubDirs(dirs);
    }
  }, 90_000);
});

describe('a stop with a 2025 session holding its standing event stream', () => {
  it('does not wait out the grace for the stream, and ends it', async () => {
    const dirs = makeHubDirs();
    const token = createToken(dirs, 'streamer', ['--servers', 'files']);
    const hub = await startHub(dirs);
    try {
      const auth = { authorization: `Bearer ${token}` };
      const post = (headers: Record<string, string>, body: unknown) =>
        fetch(`${hub.url}/mcp/files`, {
          method: 'POST',
          headers: {
            ...auth,
            ...headers,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify(body),
        });
      const init = await post({}, legacyInitialize('standing-stream'));
      expect(init.status).toBe(200);
      await init.text();
      const session = {
        'mcp-session-id': init.headers.get('mcp-session-id') ?? '',
        'mcp-protocol-version': '2025-06-18',
      };
      const initialized = await post(session, {
        jsonrpc: '2.0',
        method: 'notifications/initialized',
      });
      expect(initialized.status).toBe(202);
      const stream = await fetch(`${hub.url}/mcp/files`, {
        headers: { ...auth, ...session, accept: 'text/event-stream' },
      });
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      const reader = stream.body!.getReader();
      const ended = (async () => {
        try {
          while (!(await reader.read()).done);
        } catch {
          // Cut by the hub: ended all the same.
        }
        return true;
      })();
      expect(await hub.stop()).toBe(0);
      // The hub said the stream was no call in flight (before the fix it counted it and waited
      // the whole grace), and the stream did end.
      const stopping = hub
        .stderr()
        .split('\n')
        .find((line) => line.includes('stopping: requests in flight'));
      expect(stopping).toBeDefined();
      expect(JSON.parse(stopping!)).toMatchObject({ inFlight: 0 });
      expect(await ended).toBe(true);
    } finally {
      await hub.stop();
      removeHubDirs(dirs);
    }
  }, 60_000);
});

describe('a 2026-07-28 instance built for one tools/call', () => {
  it('refuses and audits an unknown tool as a full instance does', async () => {
    const dirs = makeHubDirs();
    const token = createToken(dirs, 'caller', ['--servers', 'files']);
    const hub = await startHub(dirs);
    try {
      const client = await connectHubClient(hub.url, 'files', { era: 'modern', token });
      const refused = await client
        .callTool({ name: 'no_such_tool', arguments: { path: dirs.root } })
        .then(
          (r) => ({ isError: r.isError === true, text: resultText(r) }),
          (err: unknown) => ({ isError: true, text: String(err) }),
        );
      expect(refused.isError).toBe(true);
      expect(refused.text).toContain('no_such_tool');
      const records = hub.auditRecords().filter((r) => r.tool === 'no_such_tool');
      expect(records).toHaveLength(1);
      expect(records[0]?.rule).toBe('INVALID_ARGUMENTS');
      expect(records[0]?.principal).toBe('caller');
      // The tools it did not build are all still there for a listing.
      const listed = await client.listTools();
      expect(listed.tools.length).toBeGreaterThan(10);
      await client.close();
    } finally {
      await hub.stop();
      removeHubDirs(dirs);
    }
  }, 60_000);
});
