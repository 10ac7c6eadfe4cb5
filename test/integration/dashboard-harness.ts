import { request as httpRequest } from 'node:http';
import type { Client } from '@modelcontextprotocol/client';
import {
  connectHubClient,
  createToken,
  makeHubDirs,
  removeHubDirs,
  startHub,
  type HubTestDirs,
  type RunningTestHub,
} from './hub-harness.js';

// The request header that carries a dashboard session.
export const sessionCookie = (session: string): { cookie: string } => ({
  cookie: `bastion_dashboard=${session}`,
});

// A hub for dashboard tests: dashboard tokens of the given names, and a files client (its own
// files-scope token) whose calls the dashboard shows.
export interface DashboardTestHub {
  dirs: HubTestDirs;
  hub: RunningTestHub;
  client: Client;
  monitors: Record<string, string>;
  close(): Promise<void>;
}

export async function startDashboardHub(
  monitorNames: readonly string[],
  bastion: Record<string, unknown> = {},
): Promise<DashboardTestHub> {
  const dirs = makeHubDirs(bastion);
  const writer = createToken(dirs, 'writer', ['--servers', 'files']);
  const monitors = Object.fromEntries(
    monitorNames.map((name) => [name, createToken(dirs, name, ['--servers', 'dashboard'])]),
  );
  const hub = await startHub(dirs);
  const client = await connectHubClient(hub.url, 'files', { era: 'legacy', token: writer });
  return {
    dirs,
    hub,
    client,
    monitors,
    async close() {
      await client.close();
      await hub.stop();
      removeHubDirs(dirs);
    },
  };
}

// What one raw HTTP exchange with the dashboard returned.
export interface DashboardResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// A raw request (node:http, so Origin, Cookie and Sec-Fetch-* are exactly what the test says).
export function dashboardRequest(
  url: string,
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<DashboardResponse> {
  const target = new URL(url);
  const body = options.body ?? '';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: pathname,
        method: options.method ?? 'GET',
        agent: false,
        headers: {
          ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          ...options.headers,
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
    req.on('error', reject);
    req.end(body);
  });
}

// POST /dashboard/login as the browser's form does it (same-origin, urlencoded).
export function postLogin(
  url: string,
  token: string,
  headers: Record<string, string> = { origin: url },
): Promise<DashboardResponse> {
  return dashboardRequest(url, '/dashboard/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token }).toString(),
  });
}

// The session cookie a response set (its value, and the whole Set-Cookie line).
export function sessionCookieOf(
  res: DashboardResponse,
): { value: string; line: string } | undefined {
  const raw = res.headers['set-cookie'];
  const lines = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const line = lines.find((l) => l.startsWith('bastion_dashboard='));
  const value = line ? /^bastion_dashboard=([^;]*)/.exec(line)?.[1] : undefined;
  return line && value ? { value, line } : undefined;
}

// Signs in and returns the session cookie value; throws when the hub refused.
export async function signIn(url: string, token: string): Promise<string> {
  const res = await postLogin(url, token);
  const cookie = sessionCookieOf(res);
  if (res.status !== 303 || !cookie) throw new Error(`sign-in refused: ${res.status} ${res.body}`);
  return cookie.value;
}

// The CSRF token the page of a session carries.
export async function csrfOf(url: string, session: string): Promise<string> {
  const page = await dashboardRequest(url, '/dashboard', {
    headers: sessionCookie(session),
  });
  const match = /<meta name="bastion-csrf" content="([^"]+)">/.exec(page.body);
  if (!match?.[1]) throw new Error(`no CSRF token on the page (${page.status})`);
  return match[1];
}

export const API_ROUTES = ['summary', 'calls', 'errors', 'changes', 'verify', 'events'] as const;

// An open dashboard event stream (GET /dashboard/api/events with the session cookie).
export interface OpenEventStream {
  // What it has sent so far.
  text(): string;
  // The text once `done` holds for it (or whatever came when the hub ended the stream); the
  // test's own timeout bounds the wait.
  waitFor(done: (text: string) => boolean): Promise<string>;
  // Settles with the whole text when the hub ends the stream.
  ended: Promise<string>;
  close(): void;
}

// Opens the event stream and resolves once the hub has said it is ready.
export function openEvents(url: string, session: string): Promise<OpenEventStream> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: '/dashboard/api/events',
        agent: false,
        headers: sessionCookie(session),
      },
      (res) => {
        let text = '';
        let opened = false;
        const waiters = new Set<() => void>();
        res.setEncoding('utf8');
        const ended = new Promise<string>((done) =>
          res.on('close', () => {
            for (const wake of waiters) wake();
            done(text);
          }),
        );
        res.on('data', (chunk: string) => {
          text += chunk;
          for (const wake of waiters) wake();
          if (!opened && text.includes('event: ready')) {
            opened = true;
            resolve({
              text: () => text,
              ended,
              close: () => req.destroy(),
              waitFor: (done) =>
                new Promise((settle) => {
                  const check = (): void => {
                    if (!done(text) && !res.closed) return;
                    waiters.delete(check);
                    settle(text);
                  };
                  waiters.add(check);
                  check();
                }),
            });
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
