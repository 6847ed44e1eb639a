import type { TargetConfig } from './target.js';

/** The first characters of a response body the store keeps (`lastResponse`; the attempts log keeps less). */
export const RESPONSE_CHARS = 2000;

/** Values shorter than this are not masked: `1`, `json` or `true` would mask half a body for nothing. */
const MIN_SECRET_CHARS = 6;

/**
 * The secrets a target's response could echo back: its signing secret, the values of its extra headers
 * (bearer tokens, API keys), the password of its URL and the values of its URL's query (a bot's `key=` /
 * `access_token=`).
 */
export function targetSecrets(target: Pick<TargetConfig, 'secret' | 'headers' | 'url'>): string[] {
  const found: string[] = [];
  if (target.secret) found.push(target.secret);
  for (const value of Object.values(target.headers)) {
    found.push(value);
    // `Bearer abc…` is echoed as a whole or as its token alone.
    const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (token) found.push(token);
  }
  try {
    const url = new URL(target.url);
    if (url.password) found.push(decodeURIComponent(url.password), url.password);
    for (const [, value] of url.searchParams) found.push(value);
    for (const raw of url.search.slice(1).split('&')) {
      const value = raw.slice(raw.indexOf('=') + 1);
      if (raw.includes('=')) found.push(value);
    }
  } catch {
    // Config validation already refused a bad URL; nothing to add.
  }
  // Longest first, so a secret containing another is masked whole.
  return [...new Set(found.filter((s) => s.length >= MIN_SECRET_CHARS))].sort((a, b) => b.length - a.length);
}

/**
 * What the store keeps of a response body: the target's secrets (see {@link targetSecrets}) replaced by
 * `[redacted]`, then the first {@link RESPONSE_CHARS} characters. Masked before cutting, so a secret
 * straddling the cut cannot leave its first half behind.
 */
export function responseExcerpt(body: string, secrets: readonly string[]): string {
  let text = body.length > RESPONSE_CHARS * 2 ? body.slice(0, RESPONSE_CHARS * 2) : body;
  for (const secret of secrets) if (text.includes(secret)) text = text.split(secret).join('[redacted]');
  return text.slice(0, RESPONSE_CHARS);
}
