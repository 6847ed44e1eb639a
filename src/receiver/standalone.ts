import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WecomRelayError } from '../errors.js';
import { sendResult, wecomCallback, type WecomCallbackMiddleware } from './express.js';
import type { ReceiverOptions } from './receiver-options.js';

/** A connect-style handler mounted beside the callback routes (e.g. the install routes). */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Options of {@link startReceiver}. */
export interface StandaloneReceiverOptions extends ReceiverOptions {
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. @default 8080 */
  readonly port?: number;
  /** Further routes, tried after the callback routes. */
  readonly extraRoutes?: ExtraRoutes;
}

/** A running standalone receiver. */
export interface StandaloneReceiver {
  /** `http://host:port`. */
  readonly url: string;
  readonly server: Server;
  readonly middleware: WecomCallbackMiddleware;
  /** Stops accepting, finishes in-flight requests, closes the store if it opened it. */
  close(): Promise<void>;
}

/**
 * The receiver on its own HTTP server: the {@link wecomCallback} middleware on node:http, anything else 404.
 * Takes the same options (a store URL, `reply`, `replyTimeoutMs`, …). The store is opened before the port
 * is: a store that cannot be opened rejects with `ERR_STORE_UNAVAILABLE` naming it, and nothing listens.
 * Keep-alive connections are closed on `close()` so shutdown is bounded.
 */
export async function startReceiver(options: StandaloneReceiverOptions): Promise<StandaloneReceiver> {
  const middleware = wecomCallback(options);
  try {
    await middleware.ready();
  } catch (error) {
    await middleware.close().catch(() => undefined);
    throw error;
  }
  const notFound = (res: ServerResponse) => {
    const error = new WecomRelayError('ERR_WECOM_NOT_FOUND');
    sendResult(res, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${error.code}: ${error.message}` });
  };
  const server = createServer((req, res) => {
    middleware(req, res, (err?: unknown) => {
      if (err) {
        res.statusCode = 500;
        res.end('ERR_INTERNAL');
        return;
      }
      if (options.extraRoutes) options.extraRoutes(req, res, () => notFound(res));
      else notFound(res);
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    server,
    middleware,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      await middleware.close();
    },
  };
}
