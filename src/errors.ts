/**
 * Every runtime error wecom-relay raises, with a stable `code` and, where it applies, the HTTP status the
 * receiver answers with. Code branches on `code` or `instanceof`, never on message text. Retired codes
 * are never reused. `docs/errors.md` has one row per code.
 *
 * Developer mistakes (bad options, bad config values passed to a constructor) throw `TypeError` instead.
 */

/** The closed catalogue: code → HTTP status (0 where no HTTP answer is involved) and a one-line meaning. */
export const ERROR_CATALOG = {
  // Receiver: the caller's mistake → 4xx, never 5xx.
  ERR_WECOM_MISSING_PARAMS: { status: 400, message: 'msg_signature, timestamp, nonce (and echostr on GET) are required' },
  ERR_WECOM_MALFORMED_BODY: { status: 400, message: 'the body is not a WeCom callback envelope (XML or JSON with Encrypt)' },
  ERR_WECOM_XML_UNSAFE: { status: 400, message: 'the XML declares a DOCTYPE or entities, or exceeds the depth or size bound' },
  ERR_WECOM_BAD_BASE64: { status: 400, message: 'Encrypt / echostr is not valid base64' },
  ERR_WECOM_BAD_LENGTH: { status: 400, message: 'the ciphertext length or the embedded message length is impossible' },
  ERR_WECOM_BAD_PADDING: { status: 400, message: 'the decrypted PKCS#7 (32-byte block) padding is invalid' },
  ERR_WECOM_MALFORMED_MESSAGE: { status: 400, message: 'the decrypted message is not parseable XML or JSON' },
  ERR_WECOM_SIGNATURE_MISMATCH: { status: 401, message: 'msg_signature does not match the token, timestamp, nonce and ciphertext' },
  ERR_WECOM_TIMESTAMP_SKEW: { status: 401, message: 'timestamp is outside receiver.maxClockSkewSeconds' },
  ERR_WECOM_RECEIVEID_NOT_ALLOWED: { status: 403, message: 'the decrypted receiveid is not one this endpoint accepts' },
  ERR_WECOM_NOT_FOUND: { status: 404, message: 'no WeCom route at this path' },
  ERR_WECOM_METHOD_NOT_ALLOWED: { status: 405, message: 'only GET (URL verification) and POST (callbacks) are served' },
  ERR_WECOM_BODY_TOO_LARGE: { status: 413, message: 'the body exceeds the 1 MiB cap' },
  ERR_WECOM_BODY_READ: { status: 400, message: 'the request body could not be read (aborted or bad encoding)' },
  ERR_STORE_UNAVAILABLE: { status: 503, message: 'the store did not take the write; WeCom will retry' },
  ERR_INTERNAL: { status: 500, message: 'an unexpected internal error (a bug: please report it); nothing was stored' },
  // Install flow (website-started installs).
  ERR_INSTALL_STATE_INVALID: { status: 400, message: 'the install state is unknown, expired or already used' },
  ERR_INSTALL_AUTH_CODE_MISSING: { status: 400, message: 'the install redirect carries no auth_code' },
  ERR_INSTALL_UPSTREAM: { status: 502, message: 'WeCom did not issue a pre-auth code' },
  // Credential gateway (中控, SPEC §11).
  ERR_GATEWAY_UNAUTHORIZED: { status: 401, message: 'no gateway key, or not one of gateway.keys (Authorization: Bearer <key>)' },
  ERR_GATEWAY_FORBIDDEN: { status: 403, message: 'the app, corp, path or token route is outside the key\'s scope' },
  ERR_GATEWAY_UNKNOWN_CORP: { status: 404, message: 'no such app, or the corp never installed it' },
  ERR_GATEWAY_CORP_INACTIVE: { status: 409, message: 'the corp\'s authorization is revoked or gone' },
  ERR_GATEWAY_NO_CREDENTIALS: { status: 503, message: 'no suite_ticket has been received yet, so no token can be fetched' },
  ERR_GATEWAY_UPSTREAM: { status: 502, message: 'WeCom could not be reached (or refused the credentials) for this call' },
  ERR_GATEWAY_BAD_REQUEST: { status: 400, message: 'the gateway request is malformed (a caller-supplied access_token, a bad page url or path)' },
  ERR_GATEWAY_NO_ROUTE: { status: 404, message: 'no gateway route at this method and path' },
  ERR_GATEWAY_BODY_TOO_LARGE: { status: 413, message: 'the request body exceeds the gateway\'s 20 MiB cap (plus multipart framing)' },
  // WeCom server API (daemon side).
  ERR_WECOM_API: { status: 0, message: 'the WeCom API answered a non-zero errcode' },
  ERR_WECOM_API_HTTP: { status: 0, message: 'the WeCom API could not be reached or answered a non-JSON/non-2xx response' },
  ERR_WECOM_NO_SUITE_TICKET: { status: 0, message: 'no suite_ticket has been received yet, so no suite_access_token can be fetched' },
  ERR_WECOM_CORP_NOT_AUTHORIZED: { status: 0, message: 'the corp has no stored permanent code (never authorized, revoked or gone)' },
  // Delivery.
  ERR_TARGET_ADDRESS_BLOCKED: { status: 0, message: 'the target resolved to a private, loopback or metadata address and security.blockPrivateTargets is on' },
  // Configuration.
  ERR_CONFIG_INVALID: { status: 0, message: 'the configuration has problems (each is listed with its path)' },
  ERR_CONFIG_NOT_FOUND: { status: 0, message: 'no configuration file was found' },
  // Store.
  ERR_STORE_URL: { status: 0, message: 'the store URL is not sqlite:<path> or redis://…' },
  ERR_STORE_NOT_FOUND: { status: 0, message: 'no such record in the store' },
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Options shared by every {@link WecomRelayError}. */
export interface WecomRelayErrorOptions {
  /** The underlying error, kept for logs. */
  readonly cause?: unknown;
  /** Overrides the catalogue message with something more specific (never containing a secret). */
  readonly message?: string;
}

/** The base class of every runtime error: a stable `code`, an HTTP `status` (0 = none), and `cause`. */
export class WecomRelayError extends Error {
  /** Stable, documented code; see `docs/errors.md`. */
  readonly code: ErrorCode;
  /** HTTP status the receiver answers with, or 0 where none applies. */
  readonly status: number;

  constructor(code: ErrorCode, options: WecomRelayErrorOptions = {}) {
    super(options.message ?? ERROR_CATALOG[code].message, { cause: options.cause });
    this.name = 'WecomRelayError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
  }
}

/** A WeCom server API call answered a non-zero `errcode`. */
export class WecomApiError extends WecomRelayError {
  /** WeCom's errcode, e.g. 42001. */
  readonly errcode: number;
  /** WeCom's errmsg (may change between WeCom releases: never branch on it). */
  readonly errmsg: string;
  /** The API path called, without query string (so no token is ever included). */
  readonly path: string;

  constructor(path: string, errcode: number, errmsg: string, options: WecomRelayErrorOptions = {}) {
    super('ERR_WECOM_API', { ...options, message: options.message ?? `${path}: errcode ${errcode} (${errmsg})` });
    this.name = 'WecomApiError';
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
  }
}

/** One problem found in a configuration, with its dotted path (`targets[1].url`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A configuration failed validation; `issues` lists every problem found, not just the first. */
export class ConfigError extends WecomRelayError {
  readonly issues: readonly ConfigIssue[];
  /** The file the configuration came from, when there was one. */
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string, code: ErrorCode = 'ERR_CONFIG_INVALID') {
    const where = file ? ` in ${file}` : '';
    super(code, {
      message: `${issues.length} configuration problem${issues.length === 1 ? '' : 's'}${where}:\n` +
        issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n'),
    });
    this.name = 'ConfigError';
    this.issues = issues;
    this.file = file;
  }
}

/** True when `error` is a {@link WecomRelayError} with the given code. */
export function hasCode(error: unknown, code: ErrorCode): error is WecomRelayError {
  return error instanceof WecomRelayError && error.code === code;
}

/**
 * The one `ERR_STORE_UNAVAILABLE` factory (the SQLite and Redis stores and the receiver share it). `what`
 * says what could not be done and where, e.g. ``cannot write to sqlite:/var/lib/relay.db (setting `store`)``;
 * the message adds the cause's code (`SQLITE_BUSY`, `EACCES`, `ECONNREFUSED`, a Redis reply code such as
 * `OOM`) or error class (other than plain `Error`), never the cause's message (a connection error may name a host or a password).
 * An error that already is `ERR_STORE_UNAVAILABLE` is returned unchanged (it already says where).
 */
export function storeUnavailable(cause: unknown, what = 'the store did not take the write'): WecomRelayError {
  if (hasCode(cause, 'ERR_STORE_UNAVAILABLE')) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const reply = cause instanceof Error && cause.name === 'ReplyError' ? /^[A-Z]+/.exec(cause.message)?.[0] : undefined;
  const name = cause instanceof Error && cause.name !== 'Error' ? cause.name : undefined;
  const detail = typeof code === 'string' ? code : reply ?? name;
  return new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause, message: detail === undefined ? what : `${what}: ${detail}` });
}
