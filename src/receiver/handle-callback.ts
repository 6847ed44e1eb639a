import { LRUCache } from 'lru-cache';
import { decryptMessage } from '../crypto/cipher.js';
import { parseEncodingAESKey } from '../crypto/key.js';
import { verifySignature } from '../crypto/signature.js';
import { WecomRelayError } from '../errors.js';
import type { Endpoint } from '../events/envelope.js';
import { fieldText } from '../events/field-text.js';
import { normalize } from '../events/normalize.js';
import { expected } from '../expected.js';
import type { Store } from '../store/store.js';
import { parseEnvelope } from '../xml/envelope.js';
import type { CallbackFields } from '../xml/fields.js';
import { parseMessage } from '../xml/message.js';
import { noopReceiverMetrics } from './receiver-metrics.js';
import { resolveReceiverOptions, type ReceiverOptions } from './receiver-options.js';
import { routesOf, type ReceiverRoute, type ResolvedReceiverApp } from './receiver-apps.js';
import { createReceiveIdPolicy, type ReceiveIdContext } from './receive-id-policy.js';
import { notifyEvent } from './notify-event.js';
import { createReplier, type Replier } from './reply-to-callback.js';
import { toNewCallback } from './to-new-callback.js';
import { appCorpKey } from '../store/app-corp-key.js';
import { namespaces } from '../store/namespaces.js';

/** A request to one of the two callback URLs, independent of any HTTP framework. */
export interface CallbackRequest {
  readonly method: string;
  readonly endpoint: Exclude<Endpoint, 'install'>;
  /**
   * The request's path (normalized, no trailing slash): which apps are candidates. Absent = every app with
   * a URL of that `endpoint` (the signature still picks one).
   */
  readonly path?: string;
  /** The raw query string, without `?` (parsed here so a `+` in echostr can be told from a space). */
  readonly query: string;
  /** Reads the body as text, rejecting past `limit` bytes. Called for POST only. */
  readonly readBody: (limit: number) => Promise<string>;
}

/** What to answer. `body` is the exact bytes to send (no trailing newline on success). */
export interface CallbackResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The rejection, when there was one. */
  readonly error?: WecomRelayError;
  /** The stored event's id, for POSTs that were acked. */
  readonly eventId?: string;
  /** True when the callback had been stored before (a retry or a replay). */
  readonly duplicate?: boolean;
  /** True when the body is an encrypted passive reply instead of `success`. */
  readonly replied?: boolean;
}

/** The framework-agnostic receiver: plain request in, plain result out. */
export interface CallbackHandler {
  handle(request: CallbackRequest): Promise<CallbackResult>;
  /** The store the handler writes to (from the factory, once; again after a failure). */
  store(): Promise<Store>;
  /** Resolves once the store is open; rejects with the store's error (`ERR_STORE_UNAVAILABLE`, naming it). */
  ready(): Promise<void>;
  /** The validated options: the first app's paths (`dataPath` is `''` when it has none). */
  readonly dataPath: string;
  readonly commandPath: string;
  /** Every path served, with its callback kind and the apps on it. */
  readonly routes: ReadonlyMap<string, ReceiverRoute>;
  /** Which callback `path` is (`null`: not a callback path of any app). */
  endpointOf(path: string): Exclude<Endpoint, 'install'> | null;
  /** Settles what the handler started; the store is the caller's (the adapters close one they opened). */
  close(): Promise<void>;
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' } as const;
const XML = { 'content-type': 'application/xml; charset=utf-8' } as const;

/**
 * Creates the receiver core. Validates `options` at once (TypeError on mistakes). It depends on interfaces
 * only: `store` is a Store or a function resolving one (a URL is opened by the adapters, {@link wecomCallback}
 * and `startReceiver`, so importing the core loads no store driver). Each POST is verified
 * (constant-time signature compare), checked against the clock-skew window, decrypted (32-byte PKCS#7,
 * strict bounds), parsed, checked against the receiveid policy, and durably written to the store before
 * `success` is answered: nothing is acked that was not stored. No network I/O happens on this path other
 * than the store write itself.
 */
export function createCallbackHandler(options: ReceiverOptions): CallbackHandler {
  const resolved = resolveReceiverOptions(options);
  const source = resolved.store;
  if (typeof source === 'string') {
    throw expected('store', 'a Store object or a function resolving one (wecomCallback and startReceiver open URLs)', source);
  }
  const logger = resolved.logger;
  const metrics = resolved.metrics ?? noopReceiverMetrics;
  let storePromise: Promise<Store> | undefined;
  const getStore = (): Promise<Store> => {
    if (storePromise) return storePromise;
    const opening = typeof source === 'function' ? Promise.resolve().then(source) : Promise.resolve(source);
    storePromise = opening;
    // A store that failed to open is retried on the next request rather than failing forever.
    opening.catch(() => { if (storePromise === opening) storePromise = undefined; });
    return opening;
  };
  // Ids stored recently: a WeCom retry is acked without touching the store (the store dedups too).
  // Keyed by app id and event id, so two apps never collide.
  const recent = new LRUCache<string, true>({ max: 10_000, ttl: 60 * 60 * 1000 });
  const knownCorps = new LRUCache<string, boolean>({ max: 10_000, ttl: 5 * 60 * 1000 });
  const isKnownCorp = async (app: ResolvedReceiverApp, corpId: string): Promise<boolean> => {
    const cacheKey = `${app.id}\u0000${corpId}`;
    const cached = knownCorps.get(cacheKey);
    if (cached !== undefined) return cached;
    const store = await getStore();
    // Corp records keyed `appId:corpId` (several apps) or, as the one-suite store wrote them, by corp id.
    const known = (await store.getKv(namespaces.corp, appCorpKey(app.id, corpId))) !== undefined
      || (await store.getKv(namespaces.corp, corpId)) !== undefined;
    knownCorps.set(cacheKey, known);
    return known;
  };
  /** What the handler keeps per app: its key, receiveid policy and passive replier. */
  interface Served {
    readonly app: ResolvedReceiverApp;
    readonly key: Buffer;
    readonly policy: (receiveId: string, context: ReceiveIdContext) => Promise<boolean>;
    readonly replier: Replier | null;
  }
  const served = new Map<ResolvedReceiverApp, Served>(resolved.apps.map((app) => {
    const key = parseEncodingAESKey(app.encodingAESKey);
    const policy = createReceiveIdPolicy({
      suiteIds: app.ids,
      providerCorpId: app.providerCorpId,
      allowEmptyReceiveId: resolved.allowEmptyReceiveId,
      allowReceiveIds: resolved.allowReceiveIds,
      isKnownCorp: (corpId) => isKnownCorp(app, corpId),
    });
    const replier = resolved.reply && app.dataPath !== null
      ? createReplier({ hook: resolved.reply, timeoutMs: resolved.replyTimeoutMs, timer: resolved.replyTimer, key, token: app.token, logger, now: resolved.now })
      : null;
    return [app, { app, key, policy, replier }];
  }));
  const routes: ReadonlyMap<string, ReceiverRoute> = routesOf(resolved.apps);
  const everyApp = [...served.values()];

  /** The apps a request may be for: those on its path, or (no path) every app with a URL of its kind. */
  function candidatesOf(request: CallbackRequest): Served[] {
    if (request.path !== undefined) return (routes.get(request.path)?.apps ?? []).map((app) => served.get(app)!);
    return everyApp.filter(({ app }) => (request.endpoint === 'data' ? app.dataPath !== null : true));
  }

  function reject(endpoint: Endpoint, error: WecomRelayError): CallbackResult {
    metrics.rejected(endpoint, error.code);
    const headers: Record<string, string> = { ...TEXT };
    if (error.code === 'ERR_WECOM_METHOD_NOT_ALLOWED') headers.allow = 'GET, POST';
    return { status: error.status, headers, body: `${error.code}: ${error.message}`, error };
  }

  /**
   * The candidates whose Token verifies `msg_signature`. Every candidate is compared (constant time, no
   * early exit), so the time taken does not reveal which app matched. None → 401.
   */
  function checkSignedParams(params: URLSearchParams, signed: string, candidates: readonly Served[]): Served[] {
    const signature = params.get('msg_signature');
    const timestamp = params.get('timestamp');
    const nonce = params.get('nonce');
    if (!signature || !timestamp || !nonce) throw new WecomRelayError('ERR_WECOM_MISSING_PARAMS');
    const verdicts = candidates.map((candidate) => verifySignature(signature, candidate.app.token, timestamp, nonce, signed));
    const signers = candidates.filter((_, i) => verdicts[i]);
    if (signers.length === 0) throw new WecomRelayError('ERR_WECOM_SIGNATURE_MISMATCH');
    if (resolved.maxClockSkewSeconds > 0) {
      const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
      const skew = Math.abs(resolved.now() / 1000 - seconds);
      if (!(skew <= resolved.maxClockSkewSeconds)) throw new WecomRelayError('ERR_WECOM_TIMESTAMP_SKEW');
    }
    return signers;
  }

  /**
   * Among the apps whose Token signed the request, the first whose key decrypts (and whose message parses)
   * and whose receiveid policy accepts. Throws the first app's decryption error when no key decrypts, or
   * `ERR_WECOM_RECEIVEID_NOT_ALLOWED` when no policy accepts.
   */
  async function openFor(
    signers: readonly Served[],
    encrypt: string,
    contextOf: (message: string) => { context: ReceiveIdContext; fields: CallbackFields | null },
    endpoint: CallbackRequest['endpoint'],
  ): Promise<{ served: Served; message: string; receiveId: string; fields: CallbackFields | null }> {
    let firstError: unknown;
    let refused: string | null = null;
    for (const candidate of signers) {
      let opened: { message: string; receiveId: string; context: ReceiveIdContext; fields: CallbackFields | null };
      try {
        const { message, receiveId } = decryptMessage(candidate.key, encrypt);
        opened = { message, receiveId, ...contextOf(message) };
      } catch (error) {
        firstError ??= error;
        continue;
      }
      if (await candidate.policy(opened.receiveId, opened.context)) {
        return { served: candidate, message: opened.message, receiveId: opened.receiveId, fields: opened.fields };
      }
      refused ??= opened.receiveId;
    }
    if (refused !== null) {
      logger.warn({ endpoint, receiveId: refused }, 'callback with a receiveid this endpoint does not accept');
      throw new WecomRelayError('ERR_WECOM_RECEIVEID_NOT_ALLOWED');
    }
    throw firstError;
  }

  async function verifyUrl(params: URLSearchParams, request: CallbackRequest): Promise<CallbackResult> {
    const { endpoint } = request;
    const raw = params.get('echostr');
    if (!raw) throw new WecomRelayError('ERR_WECOM_MISSING_PARAMS');
    // An unencoded `+` became a space in query parsing; base64 has no spaces, so restoring it is safe.
    const echostr = raw.replace(/ /g, '+');
    const signers = checkSignedParams(params, echostr, candidatesOf(request));
    const context = { method: 'GET', endpoint, innerToUserName: null, corpIdParam: params.get('corpid') } as const;
    try {
      const { message } = await openFor(signers, echostr, () => ({ context, fields: null }), endpoint);
      return { status: 200, headers: TEXT, body: message };
    } catch (error) {
      if (error instanceof WecomRelayError && error.code === 'ERR_WECOM_RECEIVEID_NOT_ALLOWED') {
        logger.warn({ endpoint }, 'URL verification with a receiveid that is not the provider corpid');
      }
      throw error;
    }
  }

  async function receive(params: URLSearchParams, request: CallbackRequest): Promise<CallbackResult> {
    const { endpoint } = request;
    if (!params.get('msg_signature') || !params.get('timestamp') || !params.get('nonce')) {
      throw new WecomRelayError('ERR_WECOM_MISSING_PARAMS');
    }
    const body = await request.readBody(resolved.maxBodyBytes);
    const envelope = parseEnvelope(body);
    const signers = checkSignedParams(params, envelope.encrypt, candidatesOf(request));
    const corpIdParam = params.get('corpid');
    const opened = await openFor(signers, envelope.encrypt, (plaintext) => {
      const parsed = parseMessage(plaintext);
      const innerTo = typeof parsed.ToUserName === 'string' ? parsed.ToUserName : null;
      return { context: { method: 'POST', endpoint, innerToUserName: innerTo, corpIdParam }, fields: parsed };
    }, endpoint);
    const { message, receiveId } = opened;
    const { app, replier } = opened.served;
    const fields = opened.fields!;
    // The app's id; the single-suite form may list several ids, of which the callback names its own.
    const claimedSuite = typeof fields.SuiteId === 'string' ? fields.SuiteId : '';
    const suiteId = app.ids.includes(claimedSuite) ? claimedSuite : app.id;
    const callback = toNewCallback({ endpoint, suiteId, receiveId, receivedAt: resolved.now(), plaintext: message, fields });
    const id = callback.id;
    // Passive replies: data-URL message and event callbacks only; the command URL always gets `success`.
    const answerable = replier !== null && endpoint === 'data' && fieldText(fields, 'MsgType') !== '';
    const duplicate = async (): Promise<CallbackResult> => {
      metrics.duplicate(endpoint);
      if (answerable) {
        const body = await replier.stored(await getStore(), id, receiveId).catch(() => null);
        if (body !== null) return { status: 200, headers: XML, body, eventId: id, duplicate: true, replied: true };
      }
      return { status: 200, headers: TEXT, body: 'success', eventId: id, duplicate: true };
    };
    const recentKey = `${app.id}\u0000${id}`;
    if (recent.has(recentKey)) return duplicate();
    let inserted: boolean;
    let store: Store;
    try {
      store = await getStore();
      ({ inserted } = await store.putCallback(callback));
    } catch (cause) {
      logger.error({ endpoint, app: app.name, eventId: id, err: cause }, 'store did not take the callback; answering 503 so WeCom retries');
      throw cause instanceof WecomRelayError && cause.code === 'ERR_STORE_UNAVAILABLE'
        ? cause
        : new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause });
    }
    recent.set(recentKey, true);
    if (!inserted) return duplicate();
    metrics.stored(endpoint);
    logger.debug({ endpoint, app: app.name, eventId: id, type: callback.type }, 'callback stored');
    // Normalized here only for the in-process hooks (the daemon normalizes the stored callback).
    const event = resolved.onEvent || answerable ? normalize(callback, app) : null;
    if (resolved.onEvent && event) notifyEvent(resolved.onEvent, event, logger);
    if (answerable && event) {
      const body = await replier.answer(store, event, fields, receiveId);
      if (body !== null) return { status: 200, headers: XML, body, eventId: id, duplicate: false, replied: true };
    }
    return { status: 200, headers: TEXT, body: 'success', eventId: id, duplicate: false };
  }

  return {
    dataPath: resolved.dataPath,
    commandPath: resolved.commandPath,
    routes,
    endpointOf: (path) => routes.get(path)?.endpoint ?? null,
    store: getStore,
    ready: () => getStore().then(() => undefined),
    async handle(request) {
      metrics.received(request.endpoint, request.method);
      try {
        const params = new URLSearchParams(request.query);
        if (request.method === 'GET') return await verifyUrl(params, request);
        if (request.method === 'POST') return await receive(params, request);
        throw new WecomRelayError('ERR_WECOM_METHOD_NOT_ALLOWED');
      } catch (error) {
        if (error instanceof WecomRelayError) return reject(request.endpoint, error);
        logger.error({ endpoint: request.endpoint, err: error }, 'unexpected error in the receiver');
        return reject(request.endpoint, new WecomRelayError('ERR_INTERNAL', { cause: error }));
      }
    },
    async close() {
      await storePromise?.catch(() => undefined);
    },
  };
}
