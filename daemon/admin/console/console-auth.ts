import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The console's session cookie. */
export const SESSION_COOKIE = 'wr_console';

/** How long a login lasts. */
export const SESSION_TTL_MS = 12 * 3_600_000;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares digests in constant time, so neither the bytes nor the length of `expected` show in the timing. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}

/** Whether `Authorization: Bearer <token>` carries the token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  return tokenMatches(header?.startsWith('Bearer ') ? header.slice(7) : '', token);
}

const sign = (token: string, payload: string): string =>
  createHmac('sha256', token).update(`wecom-relay console session\n${payload}`).digest('base64url');

/**
 * A new session cookie value: `<random id>.<expiry>.<HMAC(token, id.expiry)>`. The token itself is never
 * in the cookie; changing the token ends every session.
 */
export function newSession(token: string, now: number, random: (n: number) => Buffer = randomBytes): string {
  const payload = `${random(18).toString('base64url')}.${now + SESSION_TTL_MS}`;
  return `${payload}.${sign(token, payload)}`;
}

/** Whether a session cookie value was minted with `token` and has not expired. */
export function sessionValid(value: string | undefined, token: string, now: number): boolean {
  if (value === undefined) return false;
  const parts = value.split('.');
  if (parts.length !== 3) return false;
  const [id, expiry, mac] = parts as [string, string, string];
  if (!tokenMatches(mac, sign(token, `${id}.${expiry}`))) return false;
  return Number(expiry) > now;
}

/** The value of one cookie of a request. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `Set-Cookie` for a session (HttpOnly, SameSite=Strict, the console's path), or for ending it. */
export function sessionCookieHeader(value: string | null): string {
  const common = 'Path=/; HttpOnly; SameSite=Strict';
  return value === null ? `${SESSION_COOKIE}=; ${common}; Max-Age=0` : `${SESSION_COOKIE}=${value}; ${common}; Max-Age=${SESSION_TTL_MS / 1000}`;
}

/** Whether `host` (a bound address or a Host header's name) is a loopback name. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::ffff:127.0.0.1';
}

/** The host name of a `Host` header (port dropped). */
export function hostName(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!;
}

/**
 * The CSRF check of every POST. A browser's form post carries `Origin`, which must name this very origin.
 * Under `Referrer-Policy: no-referrer` Chromium sends `Origin: null` for the console's own forms, so a
 * `null` (or missing) Origin passes only with `Sec-Fetch-Site: same-origin` (a header no page can set).
 * A request with neither header comes from no browser (curl, a script), which no other site can make a
 * victim's browser send.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined && origin !== 'null') return origin === `http://${req.headers.host ?? ''}` && (site === undefined || site === 'same-origin');
  if (site !== undefined) return site === 'same-origin';
  return origin === undefined;
}
