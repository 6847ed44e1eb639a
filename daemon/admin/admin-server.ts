import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';
import { isLoopbackHost } from './console/console-auth.js';
import { createConsoleHandler } from './console/console-handler.js';
import type { ConsoleApp, ConsoleTarget } from './console/console-options.js';
import type { RelayMetrics } from './metrics.js';

/** Inputs of {@link startAdminServer}. */
export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  /**
   * When set, every request needs it: `Authorization: Bearer <token>`, or (console pages) the session
   * cookie of the console's login form. Without it, console actions are refused on a non-loopback bind.
   */
  readonly token?: string;
  readonly metrics: RelayMetrics;
  readonly store: Store;
  readonly logger: Logger;
  /** Extra readiness facts (credentials state); included in the /readyz body. */
  readonly readiness?: () => Promise<Record<string, unknown>>;
  /** What the console at `/` shows beside the store: the configured targets and apps. */
  readonly console?: { readonly targets: readonly ConsoleTarget[]; readonly apps: readonly ConsoleApp[] };
  /** @default Date.now */
  readonly now?: () => number;
}

/** A running admin server. */
export interface AdminServer {
  readonly url: string;
  close(): Promise<void>;
}

const API_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Compares digests, so neither the token's bytes nor its length show in the comparison's timing. */
function authorized(header: string | undefined, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const given = header?.startsWith('Bearer ') ? header.slice(7) : '';
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

/**
 * `/healthz` (the process answers), `/readyz` (the store answers; credentials state in the body; 503 when
 * the store does not), `/metrics` (Prometheus) and the operator console on every other path
 * (`console/console-handler.ts`). Bound to 127.0.0.1 by default; an optional token.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  let handleConsole: ReturnType<typeof createConsoleHandler> | undefined;
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!API_ROUTES.has(path) && handleConsole) {
      void handleConsole(req, res);
      return;
    }
    if (options.token && !authorized(req.headers.authorization, options.token)) {
      send(401, JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, JSON.stringify({ error: 'method not allowed' }));
      return;
    }
    if (path === '/healthz') {
      send(200, JSON.stringify({ status: 'ok' }));
    } else if (path === '/readyz') {
      Promise.all([options.store.ping(), options.readiness?.() ?? Promise.resolve({})])
        .then(([, facts]) => send(200, JSON.stringify({ status: 'ready', store: 'ok', ...facts })))
        .catch((err: unknown) => {
          options.logger.warn({ err }, 'readiness check failed');
          send(503, JSON.stringify({ status: 'not ready', store: 'unreachable' }));
        });
    } else if (path === '/metrics') {
      options.metrics.registry.metrics()
        .then((text) => send(200, text, options.metrics.registry.contentType))
        .catch((err: unknown) => {
          options.logger.error({ err }, 'collecting metrics failed');
          send(500, JSON.stringify({ error: 'metrics unavailable' }));
        });
    } else {
      send(404, JSON.stringify({ error: 'not found', routes: ['/healthz', '/readyz', '/metrics'] }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  handleConsole = createConsoleHandler({
    store: options.store,
    logger: options.logger,
    now: options.now ?? Date.now,
    targets: options.console?.targets ?? [],
    apps: options.console?.apps ?? [],
    token: options.token,
    loopback: isLoopbackHost(address.address),
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
