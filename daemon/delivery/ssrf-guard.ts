import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { WecomRelayError, type ErrorCode } from '../../src/errors.js';

/**
 * The address ranges the guard refuses: everything that is not a public unicast destination. A webhook
 * URL pointing at one of these is how a relay gets turned against its own network (cloud metadata at
 * 169.254.169.254, an admin port on loopback, a database in 10/8).
 *
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002::/16`) IPv6 addresses are judged by the IPv4 address they embed.
 */
export const BLOCKED_RANGES: readonly { readonly cidr: string; readonly name: string }[] = Object.freeze([
  { cidr: '0.0.0.0/8', name: 'this network' },
  { cidr: '10.0.0.0/8', name: 'private' },
  { cidr: '100.64.0.0/10', name: 'carrier-grade NAT (also Alibaba Cloud metadata 100.100.100.200)' },
  { cidr: '127.0.0.0/8', name: 'loopback' },
  { cidr: '169.254.0.0/16', name: 'link-local (cloud metadata 169.254.169.254)' },
  { cidr: '172.16.0.0/12', name: 'private' },
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', name: 'documentation' },
  { cidr: '192.88.99.0/24', name: '6to4 relay anycast' },
  { cidr: '192.168.0.0/16', name: 'private' },
  { cidr: '198.18.0.0/15', name: 'benchmarking' },
  { cidr: '198.51.100.0/24', name: 'documentation' },
  { cidr: '203.0.113.0/24', name: 'documentation' },
  { cidr: '224.0.0.0/4', name: 'multicast' },
  { cidr: '240.0.0.0/4', name: 'reserved (and broadcast)' },
  { cidr: '::/128', name: 'unspecified' },
  { cidr: '::1/128', name: 'loopback' },
  { cidr: '64:ff9b:1::/48', name: 'local-use NAT64' },
  { cidr: '100::/64', name: 'discard-only' },
  { cidr: '2001::/32', name: 'Teredo' },
  { cidr: '2001:db8::/32', name: 'documentation' },
  { cidr: 'fc00::/7', name: 'unique local (ULA; also AWS metadata fd00:ec2::254)' },
  { cidr: 'fe80::/10', name: 'link-local' },
  { cidr: 'fec0::/10', name: 'site-local (deprecated)' },
  { cidr: 'ff00::/8', name: 'multicast' },
]);

/** A parsed CIDR range: the address bytes (4 or 16) and the prefix length. */
export interface Cidr {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Options of {@link createSsrfGuard}. */
export interface SsrfGuardOptions {
  /**
   * CIDR ranges let through although they are blocked (`10.20.0.0/16` for an internal webhook gateway,
   * `127.0.0.1/32` for a sidecar). A bare address means that one address.
   * @default []
   */
  readonly allow?: readonly string[];
  /**
   * Resolves a host name to every address it has (injected by tests).
   * @default node:dns `lookup` with `all: true` (the system resolver, as an HTTP client would use)
   */
  readonly resolve?: (hostname: string) => Promise<readonly LookupAddress[]>;
}

/** The guard: one check for URLs whose host is an IP literal, and a lookup for host names. */
export interface SsrfGuard {
  /** The reason a URL with an IP-literal host is refused, or null (host names are checked by {@link lookup}). */
  checkUrl(url: string): string | null;
  /** The reason `address` is refused, or null when it may be connected to. */
  checkAddress(address: string): string | null;
  /** Hand to got as `dnsLookup` (or to an agent as `lookup`): the resolved address is what is checked. */
  readonly lookup: LookupFunction;
}

/** The `code` of the error the guarded lookup fails a connection with (in the error catalogue). */
export const SSRF_BLOCKED_CODE = 'ERR_TARGET_ADDRESS_BLOCKED' satisfies ErrorCode;

/** A connection refused by the guard; its `code` is {@link SSRF_BLOCKED_CODE}, as on a Node system error. */
export class TargetAddressBlockedError extends WecomRelayError {
  constructor(message: string) {
    super(SSRF_BLOCKED_CODE, { message });
    this.name = 'TargetAddressBlockedError';
  }
}

const PARSED_BLOCKED: readonly (Cidr & { readonly name: string })[] = BLOCKED_RANGES.map((r) => ({ ...parseCidr(r.cidr), name: r.name }));

/**
 * Parses `a.b.c.d/n`, `x:y::z/n`, or a bare address (a /32 or /128).
 * @throws TypeError for anything else, in the project's message shape.
 */
export function parseCidr(text: string): Cidr {
  const fail = () => new TypeError(`Expected a CIDR range such as \`10.0.0.0/8\` or \`fd00::/8\`, got \`${String(text)}\` (${typeof text})`);
  if (typeof text !== 'string') throw fail();
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) throw fail();
  const bytes = addressBytes(address);
  if (bytes === null) throw fail();
  const max = bytes.length * 8;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw fail();
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) throw fail();
  return { text: text.trim(), bytes, prefix };
}

/**
 * Why `address` (an IP literal, IPv4 or IPv6, zone id allowed) is refused, or null when it is a public
 * unicast address or inside an `allow` range. Anything that does not parse as an address is refused.
 */
export function blockedReason(address: string, allow: readonly Cidr[] = []): string | null {
  const bytes = addressBytes(address);
  if (bytes === null) return `${address} is not an IP address`;
  if (allow.some((range) => inRange(bytes, range))) return null;
  const range = PARSED_BLOCKED.find((r) => inRange(bytes, r));
  if (range) return `${address} is in ${range.text} (${range.name})`;
  const embedded = embeddedIpv4(bytes);
  if (embedded === null || allow.some((r) => inRange(embedded, r))) return null;
  const inner = PARSED_BLOCKED.find((r) => inRange(embedded, r));
  return inner ? `${address} embeds ${[...embedded].join('.')}, in ${inner.text} (${inner.name})` : null;
}

/**
 * Creates the guard. Refusals read
 * `target address blocked by security.blockPrivateTargets: 127.0.0.1 is in 127.0.0.0/8 (loopback)`.
 * @throws TypeError when an `allow` entry is not a CIDR range.
 */
export function createSsrfGuard(options: SsrfGuardOptions = {}): SsrfGuard {
  const allow = (options.allow ?? []).map(parseCidr);
  const resolve = options.resolve ?? defaultResolve;
  const checkAddress = (address: string): string | null => {
    const reason = blockedReason(address, allow);
    return reason === null ? null : `target address blocked by security.blockPrivateTargets: ${reason}`;
  };
  const checkUrl = (url: string): string | null => {
    let hostname: string;
    try {
      hostname = new URL(url).hostname;
    } catch {
      return `target address blocked: \`${url}\` is not a URL`;
    }
    const literal = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
    return isIP(literal) === 0 ? null : checkAddress(literal);
  };
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname).then((addresses) => {
      const wanted = familyFilter(addresses, lookupOptions.family);
      if (wanted.length === 0) {
        const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        error.code = 'ENOTFOUND';
        callback(error, '');
        return;
      }
      // Every address is checked, not only the first: a name answering one public and one private address
      // would otherwise reach the private one whenever the client falls back to it.
      for (const { address } of wanted) {
        const reason = checkAddress(address);
        if (reason !== null) {
          callback(new TargetAddressBlockedError(`${reason} (resolved from ${hostname})`), '');
          return;
        }
      }
      if (lookupOptions.all === true) callback(null, [...wanted]);
      else callback(null, wanted[0]!.address, wanted[0]!.family);
    }, (error: NodeJS.ErrnoException) => callback(error, ''));
  };
  return { checkUrl, checkAddress, lookup };
}

function defaultResolve(hostname: string): Promise<readonly LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });
}

function familyFilter(addresses: readonly LookupAddress[], family: LookupOptions['family']): readonly LookupAddress[] {
  const want = family === 'IPv4' || family === 4 ? 4 : family === 'IPv6' || family === 6 ? 6 : 0;
  return want === 0 ? addresses : addresses.filter((a) => a.family === want);
}

function inRange(bytes: Uint8Array, range: Cidr): boolean {
  if (bytes.length !== range.bytes.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] as number) & mask) !== ((range.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 address carries: mapped (`::ffff:0:0/96`), compatible (`::/96`), NAT64 or 6to4. */
function embeddedIpv4(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length !== 16) return null;
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (zeros(0, 12)) return bytes.slice(12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return bytes.slice(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

/** 4 bytes for a dotted-quad IPv4, 16 for an IPv6 (zone id ignored), null for anything else. */
function addressBytes(text: string): Uint8Array | null {
  const address = text.split('%')[0] ?? '';
  const version = isIP(address);
  if (version === 4) return Uint8Array.from(address.split('.').map(Number));
  if (version !== 6) return null;
  let head = address;
  let tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    tail = [(a << 8) | b, (c << 8) | d];
    head = address.slice(0, -dotted[1]!.length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left = '', right] = head.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const leftGroups = groups(left);
  const rightGroups = [...(right === undefined ? [] : groups(right)), ...tail];
  const fill = right === undefined ? 0 : 8 - leftGroups.length - rightGroups.length;
  const all = right === undefined ? [...leftGroups, ...tail] : [...leftGroups, ...new Array<number>(fill).fill(0), ...rightGroups];
  if (all.length !== 8) return null;
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}
