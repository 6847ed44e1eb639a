import type { GatewayConfig } from './gateway-config.js';

/** One `doctor` finding about the gateway. */
export interface GatewayFinding {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
}

/** Below this estimated strength (length × Shannon entropy per character) a key is called weak. */
const STRONG_BITS = 128;

/** The key's estimated strength in bits: its length times the Shannon entropy of its characters. */
export function keyStrengthBits(key: string): number {
  const counts = new Map<string, number>();
  for (const c of key) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) {
    const p = n / key.length;
    entropy -= p * Math.log2(p);
  }
  return Math.round(entropy * key.length);
}

/**
 * What `doctor` says about `gateway:` (never a key's value): per key its strength (weak below 128 bits,
 * e.g. a repeated or low-variety string), duplicate names or values, whether it may read raw tokens; and
 * the bind address (anything but loopback wants TLS in front).
 */
export function gatewayKeyFindings(gateway: GatewayConfig | undefined): GatewayFinding[] {
  if (!gateway) return [{ name: 'gateway', status: 'ok', detail: 'not configured: the credential gateway is not served' }];
  const findings: GatewayFinding[] = [];
  const loopback = gateway.host === '127.0.0.1' || gateway.host === '::1' || gateway.host === 'localhost';
  findings.push(loopback
    ? { name: 'gateway.host', status: 'ok', detail: `${gateway.host}: loopback only` }
    : { name: 'gateway.host', status: 'warn', detail: `${gateway.host}: reachable from the network; put TLS in front (keys travel as Bearer headers) and firewall it to your services` });
  const names = new Map<string, number>();
  const values = new Map<string, number>();
  gateway.keys.forEach((key, i) => {
    const at = `gateway.keys[${i}]`;
    const bits = keyStrengthBits(key.key);
    const scope = `${key.apps.length ? `apps ${key.apps.join(', ')}` : 'every app'}; ${key.corpIds.length ? `${key.corpIds.length} corp(s)` : 'every corp'}; ${key.paths.length ? `paths ${key.paths.join(', ')}` : 'every path'}${key.tokens ? '; may read raw tokens' : ''}`;
    if (bits < STRONG_BITS) findings.push({ name: `${at}.key`, status: 'warn', detail: `"${key.name}": weak (about ${bits} bits: ${key.key.length} characters of little variety); generate one with \`openssl rand -hex 32\`` });
    else findings.push({ name: `${at}.key`, status: 'ok', detail: `"${key.name}": ${key.key.length} characters, about ${bits} bits; ${scope}` });
    if (key.tokens) findings.push({ name: `${at}.tokens`, status: 'warn', detail: `"${key.name}" may read raw access tokens: give it only to a service that cannot use the proxy routes` });
    const sameName = names.get(key.name);
    if (sameName !== undefined) findings.push({ name: `${at}.name`, status: 'fail', detail: `duplicates gateway.keys[${sameName}].name "${key.name}"` });
    else names.set(key.name, i);
    const sameValue = values.get(key.key);
    if (sameValue !== undefined) findings.push({ name: `${at}.key`, status: 'fail', detail: `the same key as gateway.keys[${sameValue}]` });
    else values.set(key.key, i);
  });
  return findings;
}
