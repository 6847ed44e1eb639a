import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { got as defaultGot, type Got } from 'got';
import PQueue from 'p-queue';
import { WecomApiError, WecomRelayError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { backoffFor, isRetryableInPlace } from './errcode.js';
import { backoffMs } from '../backoff.js';
import { forwardCall, type ForwardRequest, type ForwardResponse } from './forward-call.js';

/**
 * Per-corp rate limit of enrichment calls. WeCom allows each corp ≤ 10,000 calls/min and ≤ 150,000/hour per
 * API (third-party doc 90454; per IP 40,000/min for providers); a minute-level breach bans the API for 60 s
 * (45009). The default (150 per second, 5 in flight) stays under 10,000/min even in a sustained burst.
 */
export interface CorpRateLimit {
  /** Calls in flight per corp. @default 5 */
  readonly concurrency?: number;
  /** Calls started per `intervalMs` per corp. @default 150 */
  readonly intervalCap?: number;
  /** @default 1000 */
  readonly intervalMs?: number;
}

/** Options of {@link WecomApiClient}. */
export interface WecomApiClientOptions {
  /** The WeCom API origin; tests and the demo point it at the mock API. @default 'https://qyapi.weixin.qq.com' */
  readonly baseUrl?: string;
  /** Whole-request timeout. @default 10000 */
  readonly timeoutMs?: number;
  /** Retries of transient failures (-1, 45033, network, 5xx) for calls marked `idempotent`. @default 3 */
  readonly maxRetries?: number;
  /** Per-corp queue settings (calls made with a `rateKey`). */
  readonly corpRateLimit?: CorpRateLimit;
  /** @default a logger that discards everything */
  readonly logger?: Logger;
  /** Waits between retries; injected by tests. @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The got instance to extend (hooks, proxies). @default got */
  readonly got?: Got;
}

/** One call's options. */
export interface CallOptions {
  /** Query parameters (e.g. `access_token`). Never logged and never part of an error. */
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** The JSON body of a POST. Never logged and never part of an error (it carries secrets and codes). */
  readonly json?: unknown;
  readonly signal?: AbortSignal;
  /**
   * Whether the call is a read that may be repeated: only then are transient failures retried in place.
   * Writes and one-use exchanges (get_permanent_code) must not be (WxJava #2098: retried sends). @default false
   */
  readonly idempotent?: boolean;
  /** Queue key (the corp id) for per-corp rate limiting; absent = not queued. */
  readonly rateKey?: string;
}

/** A WeCom answer: the documented fields plus the `errcode`/`errmsg` every API may carry. */
export type WecomResponse<T> = T & { errcode?: number; errmsg?: string };

/**
 * The one HTTP client for WeCom's server API (`<baseUrl>/cgi-bin/<path>`): got with no redirects, no got
 * retries (this class owns retries), keep-alive, a timeout, and per-corp p-queues.
 *
 * Outcome of a call: errcode absent or 0 → the parsed body (get_suite_token / get_corp_token only send
 * errcode on failure: "没返回errcode视为调用成功"); non-zero → {@link WecomApiError}; non-2xx, non-JSON,
 * network or timeout → `WecomRelayError('ERR_WECOM_API_HTTP')`. Errors and logs name the path only: the
 * query string carries access tokens and bodies carry secrets, tickets and auth codes.
 */
export class WecomApiClient {
  readonly #got: Got;
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #maxRetries: number;
  readonly #rate: Required<CorpRateLimit>;
  readonly #logger: Logger;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #queues = new Map<string, PQueue>();
  readonly #base: URL;
  readonly #timeoutMs: number;
  /** Errors worth retrying in place for idempotent reads (network, timeout, 5xx, 429). */
  readonly #transient = new WeakSet<Error>();

  constructor(options: WecomApiClientOptions = {}) {
    const baseUrl = options.baseUrl ?? 'https://qyapi.weixin.qq.com';
    if (typeof baseUrl !== 'string' || !/^https?:\/\/[^?#]+$/.test(baseUrl)) {
      throw new TypeError(`Expected \`baseUrl\` to be an http(s) URL without query, got \`${String(baseUrl)}\` (${typeof baseUrl})`);
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    positiveInteger('timeoutMs', timeoutMs);
    this.#base = new URL(baseUrl);
    this.#timeoutMs = timeoutMs;
    this.#maxRetries = options.maxRetries ?? 3;
    if (!Number.isInteger(this.#maxRetries) || this.#maxRetries < 0) {
      throw new TypeError(`Expected \`maxRetries\` to be a non-negative integer, got \`${String(this.#maxRetries)}\` (${typeof this.#maxRetries})`);
    }
    this.#rate = { concurrency: 5, intervalCap: 150, intervalMs: 1000, ...options.corpRateLimit };
    positiveInteger('corpRateLimit.concurrency', this.#rate.concurrency);
    positiveInteger('corpRateLimit.intervalCap', this.#rate.intervalCap);
    positiveInteger('corpRateLimit.intervalMs', this.#rate.intervalMs);
    this.#logger = options.logger ?? silentLogger;
    this.#sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.#agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
    this.#got = (options.got ?? defaultGot).extend({
      prefixUrl: `${baseUrl.replace(/\/+$/, '')}/cgi-bin/`,
      retry: { limit: 0 },
      timeout: { request: timeoutMs },
      agent: this.#agents,
      followRedirect: false,
      throwHttpErrors: false,
      responseType: 'text',
    });
  }

  /**
   * Calls `path` (relative to `/cgi-bin/`, e.g. `externalcontact/get`; no query string in it) and returns
   * the parsed body when errcode is absent or 0.
   *
   * @throws {WecomApiError} a non-zero errcode (after in-place retries of -1/45033 for idempotent calls)
   * @throws {WecomRelayError} `ERR_WECOM_API_HTTP`: network, timeout, non-2xx or non-JSON answer
   */
  async call<T>(method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<WecomResponse<T>> {
    if (typeof path !== 'string' || path === '' || /[?#]/.test(path) || path.startsWith('/')) {
      // Keeps tokens out of paths (paths appear in errors and logs); parameters belong in `query`.
      throw new TypeError(`Expected \`path\` to be a relative API path without query, got \`${String(path).split('?')[0]}\` (${typeof path})`);
    }
    const retries = options.idempotent === true ? this.#maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#schedule(options.rateKey, () => this.#once<T>(method, path, options));
      } catch (error) {
        const wait = attempt < retries && options.signal?.aborted !== true ? this.#retryDelay(error, attempt) : undefined;
        if (wait === undefined) {
          if (error instanceof WecomApiError && error.errcode === 45009) {
            // Never hammered: the ban lasts as long as the window it punishes. The caller pauses.
            this.#logger.warn({ path, errcode: 45009, retryInMs: backoffFor(45009) }, 'WeCom frequency limit hit; pause before calling again');
          }
          throw error;
        }
        this.#logger.warn(
          { path, attempt: attempt + 1, retryInMs: wait, errcode: error instanceof WecomApiError ? error.errcode : undefined, code: (error as WecomRelayError).code },
          'WeCom API call failed transiently; retrying',
        );
        try {
          await this.#sleep(wait, options.signal);
        } catch {
          throw error; // aborted while waiting: the caller gets the failure it was waiting to retry
        }
      }
    }
  }

  /**
   * Passes one call through as the caller made it (the gateway's proxy routes): any method, the query and
   * body unchanged, queued on the same per-corp queue as {@link call} when `rateKey` is given (so gateway
   * calls and enrichment share one pacing per corp). Never retried here and never parsed beyond the
   * errcode: the answer is the caller's. Timeout = the client's `timeoutMs` of socket inactivity.
   *
   * @throws {WecomRelayError} `ERR_WECOM_API_HTTP` when WeCom could not be reached
   */
  forward(request: ForwardRequest): Promise<ForwardResponse> {
    if (typeof request.path !== 'string' || request.path === '' || /[?#]/.test(request.path) || request.path.startsWith('/')) {
      throw new TypeError(`Expected \`path\` to be a relative API path without query, got \`${String(request.path).split('?')[0]}\` (${typeof request.path})`);
    }
    const agent = this.#base.protocol === 'https:' ? this.#agents.https : this.#agents.http;
    return this.#schedule(request.rateKey, () => forwardCall(this.#base, agent, this.#timeoutMs, request));
  }

  /** Calls queued or running for `rateKey` (for metrics and tests). */
  queueDepth(rateKey: string): number {
    const queue = this.#queues.get(rateKey);
    return queue ? queue.size + queue.pending : 0;
  }

  /** Closes idle keep-alive sockets. Calls already made finish; the client stays usable. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #schedule<R>(rateKey: string | undefined, task: () => Promise<R>): Promise<R> {
    if (rateKey === undefined) {
      return task();
    }
    let queue = this.#queues.get(rateKey);
    if (!queue) {
      queue = new PQueue({ concurrency: this.#rate.concurrency, intervalCap: this.#rate.intervalCap, interval: this.#rate.intervalMs });
      this.#queues.set(rateKey, queue);
    }
    return queue.add(task);
  }

  #retryDelay(error: unknown, attempt: number): number | undefined {
    if (error instanceof WecomApiError) {
      return isRetryableInPlace(error.errcode) ? backoffFor(error.errcode, attempt) : undefined;
    }
    return error instanceof Error && this.#transient.has(error) ? backoffMs(attempt, { baseMs: 500, maxStep: 3 }) : undefined;
  }

  async #once<T>(method: 'GET' | 'POST', path: string, options: CallOptions): Promise<WecomResponse<T>> {
    const searchParams: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) {
        searchParams[name] = value;
      }
    }
    const started = performance.now();
    let status: number;
    let text: string;
    try {
      const response = await this.#got(path, {
        method,
        searchParams,
        ...(options.json === undefined ? {} : { json: options.json }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      status = response.statusCode;
      text = String(response.body);
    } catch (error) {
      throw this.#transportError(path, error);
    }
    this.#logger.debug?.({ path, method, status, durationMs: Math.round(performance.now() - started) }, 'WeCom API answered');
    if (status < 200 || status > 299) {
      const error = new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${path}: HTTP ${status}` });
      if (status >= 500 || status === 429 || status === 408) {
        this.#transient.add(error);
      }
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${path}: HTTP ${status} with a non-JSON body` });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${path}: HTTP ${status} with a JSON body that is not an object` });
    }
    const { errcode, errmsg } = body as { errcode?: unknown; errmsg?: unknown };
    const code = typeof errcode === 'string' && /^-?\d+$/.test(errcode) ? Number(errcode) : errcode;
    if (code === undefined || code === null || code === 0) {
      return body as WecomResponse<T>;
    }
    if (typeof code !== 'number') {
      throw new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${path}: errcode is not a number` });
    }
    throw new WecomApiError(path, code, typeof errmsg === 'string' ? errmsg : '');
  }

  /** Maps a got/network failure to ERR_WECOM_API_HTTP without keeping got's error (it holds the URL). */
  #transportError(path: string, error: unknown): WecomRelayError {
    const name = error instanceof Error ? error.name : 'Error';
    const code = (error as { code?: unknown } | null)?.code;
    const detail = typeof code === 'string' ? code : name;
    const cause = new Error(`${name}${typeof code === 'string' ? ` ${code}` : ''}: ${stripUrls(error instanceof Error ? error.message : String(error))}`);
    const aborted = detail === 'ERR_ABORTED' || name === 'AbortError';
    const wrapped = new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${path}: ${aborted ? 'aborted' : `request failed (${detail})`}`, cause });
    if (!aborted) {
      this.#transient.add(wrapped);
    }
    return wrapped;
  }
}

/** Removes query strings from any URL inside a message, in case a library put one there. */
function stripUrls(message: string): string {
  return message.replace(/\?[^\s'"]*/g, '?…');
}

function positiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\` (${typeof value})`);
  }
}
