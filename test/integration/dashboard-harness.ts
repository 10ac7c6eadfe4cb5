import { request as httpRequest } from 'node:http';

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
    headers: { cookie: `bastion_dashboard=${session}` },
  });
  const match = /<meta name="bastion-csrf" content="([^"]+)">/.exec(page.body);
  if (!match?.[1]) throw new Error(`no CSRF token on the page (${page.status})`);
  return match[1];
}

export const API_ROUTES = ['summary', 'calls', 'errors', 'changes', 'verify', 'events'] as const;
