/**
 * wecom-relay — the library: a drop-in Express middleware (and framework-agnostic core) for a WeCom
 * (企业微信) third-party suite's data and command callback URLs, plus the pieces it is built from.
 *
 * ```ts
 * import express from 'express';
 * import { wecomCallback } from 'wecom-relay';
 * const app = express();
 * app.use(wecomCallback({ suiteId, token, encodingAESKey, store: 'sqlite:./data/wecom-relay.db' }));
 * ```
 *
 * Named exports only. The daemon and the CLI live in the package's `bin` (`wecom-relay`).
 * @packageDocumentation
 */

// Receiver
export { wecomCallback, sendResult, type WecomCallbackMiddleware } from './receiver/express.js';
export { createCallbackHandler, type CallbackHandler, type CallbackRequest, type CallbackResult } from './receiver/handle-callback.js';
export { toNewCallback, type VerifiedCallback } from './receiver/to-new-callback.js';
export { checkReply, PASSIVE_REPLY_TYPES, type ReplyHook, type ReplyCheck } from './receiver/passive-reply.js';
export { REPLY_NAMESPACE, REPLY_TTL_MS, type StoredReply } from './receiver/reply-to-callback.js';
export { sealReply, type SealReplyOptions } from './receiver/seal-reply.js';
export { startReceiver, type StandaloneReceiver, type StandaloneReceiverOptions, type ExtraRoutes } from './receiver/standalone.js';
export { RECEIVER_DEFAULTS, resolveReceiverOptions, type ReceiverOptions, type ResolvedReceiverOptions, type StoreFactory } from './receiver/receiver-options.js';
export type { ReceiverApp, ResolvedReceiverApp, ReceiverRoute } from './receiver/receiver-apps.js';
export type { AppKind, AppConfig } from './apps/app.js';
export type { EventApp } from './events/normalize.js';
export { createReceiveIdPolicy, type ReceiveIdContext, type ReceiveIdPolicyOptions } from './receiver/receive-id-policy.js';
export { readBody, type BodyCarrier } from './receiver/read-body.js';
export { noopReceiverMetrics, type ReceiverMetrics } from './receiver/receiver-metrics.js';
export {
  createInstallHandler, INSTALL_STATE_NAMESPACE,
  type InstallHandler, type InstallHandlerOptions, type InstallRequest, type InstallResult, type InstallRoute, type InstallStateRecord,
} from './receiver/install-routes.js';
export { INSTALL_DEFAULTS, resolveInstallOptions, type InstallOptions, type InstallSuiteApi, type ResolvedInstallOptions } from './receiver/install-options.js';

// Crypto (WXBizMsgCrypt with 32-byte PKCS#7)
export { parseEncodingAESKey } from './crypto/key.js';
export { computeSignature, verifySignature } from './crypto/signature.js';
export { pkcs7Pad32, pkcs7Unpad32 } from './crypto/pkcs7-32.js';
export { decryptMessage, encryptMessage, type DecryptedMessage } from './crypto/cipher.js';
export {
  sealCallback, sealEchostr,
  type SealCallbackOptions, type SealedCallback, type SealEchostrOptions, type SealedEchostr, type SealOptions,
} from './crypto/seal-callback.js';

// XML
export { parseXml, DEFAULT_XML_MAX_BYTES, DEFAULT_XML_MAX_DEPTH, type ParseXmlOptions } from './xml/parser.js';
export { parseEnvelope, type CallbackEnvelope } from './xml/envelope.js';
export { parseMessage, type ParseMessageOptions } from './xml/message.js';
export { buildXml } from './xml/build-xml.js';
export { buildReplyXml, type PassiveReply, type ReplyAddress, type ReplyArticle, type ReplyCard, type ReplyCardValue } from './xml/build-reply-xml.js';
export type { CallbackFields, FieldValue } from './xml/fields.js';

// Events
export { normalize, isKnownEvent, type NormalizeInput } from './events/normalize.js';
export { eventTypeOf } from './events/event-type-of.js';
/** `sourceCorpId` is the earlier name of {@link corpIdOf}. */
export { corpIdOf, corpIdOf as sourceCorpId } from './events/corp-id-of.js';
export { eventId } from './events/event-id.js';
export { EVENT_CATALOG, EVENT_TYPES, catalogEntry, isKnownEventType, type CatalogEntry, type KnownEventType, type EventFamily } from './events/catalog.js';
export { eventEnvelopeSchema } from './events/schema.js';
export { SAMPLE_KINDS, sampleCallback, type SampleCallback, type SampleContext } from './events/samples.js';
export type { EventEnvelope, EventSource, Endpoint, EnrichmentError } from './events/envelope.js';
export type {
  WecomEvent, KnownEvent, GenericEvent, GenericEventType, WecomEventType, EventOf, EventDataOf,
  ExternalContactData, ExternalChatData, ExternalTagData, ContactUserData, ContactDepartmentData, ContactTagData,
  AuthData, SuiteTicketData, TextMessageData,
} from './events/types.js';

// Store. Nothing here loads a store driver: createStore imports the SQLite or Redis module (and
// better-sqlite3 or ioredis) only when a URL of that kind is opened, so an app passing its own Store loads neither.
export { createStore, parseStoreUrl, storeUrlOf, type CreateStoreOptions, type StoreLocation, type StoreSetting } from './store/create-store.js';
export { namespaces, defineNamespace, type Namespace } from './store/namespaces.js';
export type { SqliteStore, SqliteStoreOptions } from './store/sqlite.js';
export type { RedisStore, RedisStoreOptions } from './store/redis.js';
export { matchesGlob, matchesAny } from './store/glob.js';
export type {
  Store, StoreKind, StoreChange, Inbox, DeliveryQueue, KeyedState, Coordination, NewCallback, CallbackRecord, CallbackState, PutCallbackResult, DeliveryRecord, DeliveryState,
  AttemptOutcome, ClaimOptions, KvRecord, PutKvOptions, RateLimit, RateSlot, StoreStats, ReplaySelection,
  ListCallbacksQuery, ListDeliveriesQuery,
} from './store/store.js';

// WeCom server API
export { WecomApiClient, type WecomApiClientOptions } from './wecom-api/client.js';
export { SuiteApi } from './wecom-api/suite-api.js';
export { TokenProvider, type TokenProviderOptions } from './wecom-api/token-provider.js';
export { classifyErrcode, type ErrcodeClass } from './wecom-api/errcode.js';
export { createCorpClient, type CorpClient, type CorpClientOptions } from './wecom-api/create-corp-client.js';

// Errors and logging
export { ERROR_CATALOG, WecomRelayError, WecomApiError, ConfigError, hasCode, type ErrorCode, type ConfigIssue } from './errors.js';
export { silentLogger, createStderrLogger, type Logger } from './logger.js';
