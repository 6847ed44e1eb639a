import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';
import type { RelayMetrics } from './metrics.js';

/** Inputs of {@link startAdminServer}. */
export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly metrics: RelayMetrics;
  readonly store: Store;
  readonly logger: Logger;
  /** Extra readiness facts (credentials state); included in the /readyz body. */
  readonly readiness?: () => Promise<Record<string, unknown>>;
}

/** A running admin server. */
export interface AdminServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Compares digests, so neither the token's bytes nor its length show in the comparison's timing. */
function authorized(header: string | undefined, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const given = header?.startsWith('Bearer ') ? header.slice(7) : '';
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

/**
 * `/healthz` (the process answers), `/readyz` (the store answers; credentials state in the body; 503 when
 * the store does not) and `/metrics` (Prometheus). Bound to 127.0.0.1 by default; an optional bearer token.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (options.token && !authorized(req.headers.authorization, options.token)) {
      send(401, JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
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
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
