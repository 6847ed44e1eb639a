import type { StoredToken } from './credential-records.js';

/**
 * Whether `token` needs no refresh yet at `now`: it is refreshed `marginMs` before expiry, but never later
 * than at 80 % of its lifetime, so a 2 h token with the default 10 min margin refreshes at 110 min and a
 * 60 s token (the mock API) at 48 s instead of never being fresh.
 */
export function isTokenFresh(token: StoredToken, now: number, marginMs: number): boolean {
  const margin = Math.min(marginMs, (token.expiresAt - token.fetchedAt) * 0.2);
  return now < token.expiresAt - margin;
}

/**
 * Whether WeCom still accepts `token` at `now`, keeping a small safety gap (5 % of its lifetime, at most
 * 1 min) for clock skew and the call's own latency. A usable token that is not fresh may still be handed out
 * while another process refreshes it.
 */
export function isTokenUsable(token: StoredToken, now: number): boolean {
  return now < token.expiresAt - Math.min(60_000, (token.expiresAt - token.fetchedAt) * 0.05);
}
