import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCallbackHandler, type CallbackHandler, type CallbackResult } from './handle-callback.js';
import { installHandlerFor } from './install-adapter.js';
import type { InstallHandler, InstallResult, InstallRoute } from './install-routes.js';
import { storeFromUrl } from './open-store-url.js';
import { readBody, type BodyCarrier } from './read-body.js';
import { resolveReceiverOptions, type ReceiverOptions } from './receiver-options.js';

/**
 * A connect-style middleware (what `app.use()` takes in Express 4 and 5, and what a router is). It
 * answers GET and POST on the two callback paths and calls `next()` for every other path.
 */
export interface WecomCallbackMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
  /** The framework-agnostic core it adapts. */
  readonly handler: CallbackHandler;
  /** The website install flow's core, when `options.install` is set. */
  readonly install: InstallHandler | null;
  /** Every app's install flow (`install` first, then `installs`). */
  readonly installs: readonly InstallHandler[];
  /**
   * Resolves once the store is open. The store is opened as the middleware is created; a store that cannot
   * be opened rejects this with `ERR_STORE_UNAVAILABLE` naming it (`the store sqlite:/proc/nope/x.db could
   * not be opened: …`), and is logged at once, rather than found by the first callback's 503.
   */
  ready(): Promise<void>;
  /** Closes the store when it was opened from a URL. */
  close(): Promise<void>;
}

/** Splits `req.url` (relative to the mount point) into a normalized path and the raw query string. */
function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  return { path, query: q === -1 ? '' : url.slice(q + 1) };
}

/** Writes a {@link CallbackResult} with no framework helpers, so Express 4, 5 and node:http behave alike. */
export function sendResult(res: ServerResponse, result: CallbackResult | InstallResult): void {
  res.statusCode = result.status;
  for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
  res.setHeader('content-length', Buffer.byteLength(result.body));
  res.end(result.body);
}

/**
 * The drop-in Express middleware for a suite's data and command callback URLs (or every path of
 * `options.apps`: several WeCom apps, told apart by their signatures where they share a path).
 *
 * ```ts
 * app.use(wecomCallback({ suiteId, token, encodingAESKey, store: 'sqlite:./data/wecom-relay.db' }));
 * ```
 *
 * Works whatever body parsers the app mounted before it (see {@link readBody}). With `options.install`, it
 * also serves the website install flow's two GET routes ({@link createInstallHandler}). Throws `TypeError`
 * at construction on bad options.
 */
export function wecomCallback(options: ReceiverOptions): WecomCallbackMiddleware {
  // Everything (the store URL's scheme included) is validated before anything is built.
  const resolved = resolveReceiverOptions(options);
  const { logger } = resolved;
  // The adapter opens a URL (loading the store module only then); the core gets a factory.
  const opened = typeof options.store === 'string' ? storeFromUrl(options.store, { logger }) : null;
  const handler = createCallbackHandler({ ...options, logger, store: opened ? opened.open : options.store });
  const shared = {
    suiteIds: resolved.apps.filter((app) => app.kind !== 'contact_edit').flatMap((app) => app.ids),
    store: handler.store,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  // One install flow per app that has one (`install`, then each of `installs`), each on its own paths.
  const installs = [...(options.install ? [options.install] : []), ...(options.installs ?? [])].map((each) => installHandlerFor(each, shared));
  const install = options.install ? installs[0]! : null;
  const installRoute = (path: string): { handler: InstallHandler; route: InstallRoute } | null => {
    for (const each of installs) {
      const route = each.routeOf(path);
      if (route) return { handler: each, route };
    }
    return null;
  };
  // Opened now, so a store that cannot be opened is reported at start-up, not by the first callback.
  const ready = handler.ready();
  ready.catch((err: unknown) => logger.error({ err }, 'the receiver\'s store could not be opened; callbacks get 503 until it can'));
  const middleware = ((req, res, next) => {
    const { path, query } = splitUrl(req.url ?? '/');
    const endpoint = handler.endpointOf(path);
    if (endpoint === null) {
      const found = installs.length > 0 ? installRoute(path) : null;
      if (found) found.handler.handle({ method: req.method ?? 'GET', route: found.route, query }).then((result) => sendResult(res, result), next);
      else next();
      return;
    }
    handler
      .handle({ method: req.method ?? 'GET', endpoint, path, query, readBody: (limit) => readBody(req as BodyCarrier, limit) })
      .then((result) => sendResult(res, result), next);
  }) as WecomCallbackMiddleware;
  Object.defineProperty(middleware, 'handler', { value: handler });
  Object.defineProperty(middleware, 'install', { value: install });
  Object.defineProperty(middleware, 'installs', { value: installs });
  // Later calls retry a failed open (the handler does), so a store that comes back is picked up.
  let first = true;
  middleware.ready = () => {
    if (first) { first = false; return ready; }
    return handler.ready();
  };
  middleware.close = async () => {
    for (const each of installs) await each.close();
    await handler.close();
    await opened?.close();
  };
  return middleware;
}
