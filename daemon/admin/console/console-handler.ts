import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTargetDisabled, setTargetEnabled } from '../../delivery/target-state.js';
import {
  bearerMatches, hostName, isLoopbackHost, newSession, readCookie, sameOrigin, sessionCookieHeader, sessionValid, SESSION_COOKIE, tokenMatches,
} from './console-auth.js';
import type { ConsoleOptions } from './console-options.js';
import { corpsPage } from './corps-page.js';
import { deadFilter, deadLettersPage, MAX_BULK_REPLAY } from './dead-letters-page.js';
import { eventPage } from './event-page.js';
import { eventsPage } from './events-page.js';
import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';
import { loginPage } from './login-page.js';
import { overviewPage } from './overview-page.js';
import type { PageResult } from './page-result.js';
import { replayDead } from './replay-batch.js';
import { replayPage } from './replay-page.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { STYLESHEET } from './stylesheet.js';
import { targetsPage } from './targets-page.js';

/** Largest form body read. */
const MAX_FORM_BYTES = 16 * 1024;

/** Handles one console request; resolves when the response is sent. */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A local path to return to after an action (`/…`, never `//host` or a URL). */
function localPath(value: string | null | undefined, fallback = '/'): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\') ? value : fallback;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new RangeError('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: string | SafeHtml, type = 'text/html; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...headers });
  res.end(String(body));
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, ...headers });
  res.end();
}

function refuse(res: ServerResponse, status: number, text: string): void {
  send(res, status, layout({ title: 'Refused', body: html`<h1>${status === 403 ? 'Forbidden' : 'Refused'}</h1><p>${text}</p><p><a href="/">Overview</a></p>` }));
}

/**
 * The operator console (SPEC §13): server-rendered pages and POST actions on the admin listener.
 *
 * - With `admin.token` set, every page and action needs it: a session cookie from `/login` (HttpOnly,
 *   SameSite=Strict, an HMAC of a random id — never the token) or `Authorization: Bearer <token>`.
 * - Every POST passes a same-origin check (`Origin` / `Sec-Fetch-Site`) against CSRF.
 * - Without a token, actions are refused unless the listener is on loopback; on loopback a request must
 *   also name a loopback host (a DNS-rebinding page names its own).
 * - Every response carries {@link SECURITY_HEADERS}; every value in a page is escaped by `html`.
 */
export function createConsoleHandler(options: ConsoleOptions): ConsoleHandler {
  const { token } = options;
  const actionsAllowed = token !== undefined || options.loopback;

  const authenticated = (req: IncomingMessage): { ok: boolean; session: boolean } => {
    if (token === undefined) return { ok: true, session: false };
    if (bearerMatches(req.headers.authorization, token)) return { ok: true, session: false };
    const session = sessionValid(readCookie(req, SESSION_COOKIE), token, options.now());
    return { ok: session, session };
  };

  const render = (res: ServerResponse, page: PageResult, loggedIn: boolean) => {
    send(res, page.status ?? 200, layout({ ...page, loggedIn }));
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    try {
      if (options.loopback && !isLoopbackHost(hostName(req.headers.host ?? ''))) {
        refuse(res, 403, 'This console is bound to loopback: open it as localhost or 127.0.0.1.');
        return;
      }
      if (path === '/console.css' && (method === 'GET' || method === 'HEAD')) {
        send(res, 200, STYLESHEET, 'text/css; charset=utf-8');
        return;
      }
      if (method === 'POST' && !sameOrigin(req)) {
        refuse(res, 403, 'Cross-origin form posts are refused.');
        return;
      }
      if (path === '/login') {
        if (token === undefined) { redirect(res, '/'); return; }
        if (method === 'POST') {
          const form = await readForm(req);
          if (!tokenMatches(form.get('token') ?? '', token)) { render(res, loginPage(true, localPath(form.get('next'))), false); return; }
          redirect(res, localPath(form.get('next')), { 'set-cookie': sessionCookieHeader(newSession(token, options.now())) });
          return;
        }
        render(res, loginPage(false, localPath(url.searchParams.get('next'))), false);
        return;
      }
      if (path === '/logout' && method === 'POST') {
        redirect(res, token === undefined ? '/' : '/login', { 'set-cookie': sessionCookieHeader(null) });
        return;
      }
      const auth = authenticated(req);
      if (!auth.ok) {
        // 401 with the login form on every path: nothing (not even whether a page exists) before the token.
        if (method === 'GET' || method === 'HEAD') render(res, { ...loginPage(false, localPath(path + url.search)), status: 401 }, false);
        else refuse(res, 403, 'Log in first: this console needs the admin token.');
        return;
      }
      if (method === 'POST') {
        if (!actionsAllowed) { refuse(res, 403, 'Actions are refused: this listener is not on loopback and admin.token is not set.'); return; }
        await act(path, await readForm(req), res);
        return;
      }
      if (method !== 'GET' && method !== 'HEAD') { refuse(res, 405, 'Method not allowed.'); return; }
      const page = await route(path, url.searchParams);
      if (page === undefined) render(res, { status: 404, title: 'Not found', current: '', body: html`<h1>Not found</h1><p><a href="/">Overview</a></p>` }, auth.session);
      else render(res, page, auth.session);
    } catch (err) {
      options.logger.error({ err, path }, 'console request failed');
      if (!res.headersSent) refuse(res, err instanceof RangeError ? 413 : 500, err instanceof RangeError ? 'The form is too large.' : 'The console could not answer (see the logs).');
      else res.end();
    }
  };

  /** The decoded rest of `path` after `prefix`, or undefined (another path, or malformed escapes). */
  function param(path: string, prefix: string): string | undefined {
    if (!path.startsWith(prefix)) return undefined;
    try {
      return decodeURIComponent(path.slice(prefix.length));
    } catch {
      return undefined;
    }
  }

  async function route(path: string, query: URLSearchParams): Promise<PageResult | undefined> {
    const eventId = param(path, '/events/');
    const replayId = param(path, '/replays/');
    if (path === '/') return overviewPage(options);
    if (path === '/events') return eventsPage(options, query);
    if (eventId !== undefined) return eventPage(options, eventId, query);
    if (path === '/dead') return deadLettersPage(options, query);
    if (replayId !== undefined) return replayPage(options, replayId);
    if (path === '/targets') return targetsPage(options, query, actionsAllowed);
    if (path === '/corps') return corpsPage(options);
    return undefined;
  }

  async function act(path: string, form: URLSearchParams, res: ServerResponse): Promise<void> {
    const now = options.now();
    if (path === '/deliveries/replay') {
      const id = form.get('id') ?? '';
      const count = id === '' ? 0 : await options.store.replayDeliveries({ ids: [id] }, now);
      const back = localPath(form.get('back'), '/dead');
      redirect(res, `${back}${back.includes('?') ? '&' : '?'}notice=${count > 0 ? 'replayed' : 'not-replayed'}`);
      return;
    }
    if (path === '/dead/replay') {
      const { id } = await replayDead(options.store, deadFilter(form, now).store, MAX_BULK_REPLAY, now);
      redirect(res, `/replays/${encodeURIComponent(id)}`);
      return;
    }
    if (path === '/targets/enable' || path === '/targets/disable') {
      const name = form.get('name') ?? '';
      if (!options.targets.some((t) => t.name === name && t.enabledInConfig)) { refuse(res, 404, 'No such enabled target in the configuration.'); return; }
      if (path === '/targets/enable') await setTargetEnabled(options.store, name, now);
      else await setTargetDisabled(options.store, name, 'disabled by an operator (console)', now);
      redirect(res, `/targets?notice=${path === '/targets/enable' ? 'enabled' : 'disabled'}`);
      return;
    }
    refuse(res, 404, 'No such action.');
  }
}
