import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { ListenAddress } from './listen-address.js';

export interface HubListenOptions {
  address: ListenAddress;
  tls?: { cert: string; key: string };
  // A request whose headers and body have not all arrived by then gets 408 and is dropped.
  requestTimeoutMs: number;
}

// The bound node server, and the URL clients use to reach it.
export interface ListeningHub {
  server: Server;
  port: number;
  url: string;
  // Stops accepting, lets requests in flight end (up to graceMs), then drops what is left.
  close(graceMs: number, inFlight: () => number): Promise<void>;
}

function formatUrl(scheme: string, host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

// Binds the hub's HTTP(S) server. The fetch handler is looked up per request, so the app can be
// built once the port (needed by the Host allow-list when listening on port 0) is known.
export async function listenHub(
  options: HubListenOptions,
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
): Promise<ListeningHub> {
  const tls = options.tls
    ? { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }
    : undefined;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve(
      {
        fetch,
        hostname: options.address.host,
        port: options.address.port,
        // Node looks for requests past their timeout this often (30 s by default, which would
        // let a stalled client hold its socket for twice the bound).
        serverOptions: {
          ...tls,
          connectionsCheckingInterval: Math.max(250, Math.min(1000, options.requestTimeoutMs / 4)),
        },
        ...(tls ? { createServer: createHttpsServer } : {}),
      },
      () => resolve(s),
    ) as Server;
    s.once('error', reject);
  });
  // Security: slowloris. Headers and body must arrive within the bound, or the socket is shut.
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: formatUrl(tls ? 'https' : 'http', options.address.host, port),
    async close(graceMs, inFlight) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inFlight() > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
