import type { TargetConfig } from '../target.js';

/** The `user-agent` every outgoing request carries. */
export const USER_AGENT = 'wecom-relay';

/**
 * The headers common to every format: `content-type`, `user-agent`, then the target's own `headers`
 * (names lower-cased so a configured `Content-Type` replaces ours instead of duplicating it), then the
 * format's protocol headers, which always win: a target header must never be able to replace a signature.
 */
export function requestHeaders(
  target: TargetConfig,
  contentType: string,
  protocolHeaders: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType, 'user-agent': USER_AGENT };
  for (const [name, value] of Object.entries(target.headers)) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(protocolHeaders)) headers[name.toLowerCase()] = value;
  return headers;
}
