import http from 'node:http';
import https from 'node:https';

// What one GET <url>/healthz answered.
export interface HealthResult {
  ok: boolean;
  status?: number;
  error?: string;
}

// GET <baseUrl>/healthz with a bound; ok only on 200. Never sends a token.
export function checkHealth(baseUrl: string, timeoutMs = 2000): Promise<HealthResult> {
  let url: URL;
  try {
    url = new URL('/healthz', baseUrl);
  } catch {
    return Promise.resolve({ ok: false, error: `expected an http(s) URL, got ${baseUrl}` });
  }
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (client === undefined)
    return Promise.resolve({ ok: false, error: `expected an http(s) URL, got ${baseUrl}` });
  return new Promise((resolve) => {
    const request = client.get(
      url,
      {
        timeout: timeoutMs,
        // Security: a liveness probe of our own hub, often on a self-signed cert for 127.0.0.1.
        // It carries no credential and its answer only decides "up or not", so the certificate
        // is not checked here; clients check it.
        rejectUnauthorized: false,
        headers: { accept: 'application/json' },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ ok: response.statusCode === 200, status: response.statusCode ?? 0 }),
        );
        response.on('error', (err) => resolve({ ok: false, error: err.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (err) => resolve({ ok: false, error: err.message }));
  });
}
