import { expected } from '../expected.js';
import type { AuthCorpInfo, AuthInfo, AuthUserInfo, DealerCorpInfo } from '../wecom-api/suite-api-types.js';
import type { PassiveReply } from '../xml/build-reply-xml.js';
import { anyObject, boolean, either, literal, nullable, number, object, optional, string, type Check } from './value-shape.js';

/**
 * A namespace of the store's keyed state, with the type of its values and a runtime check of their
 * shape. `KeyedState` methods take a `Namespace<T>` instead of a string, so a value read back is typed
 * by its declaration, never by a cast at the call site — and a stored value of the wrong shape (corrupt,
 * or written by another version) is an error on read, not a wrongly typed object.
 */
export interface Namespace<T> {
  /** The stored name (part of the SQLite primary key, of the Redis key). */
  readonly name: string;
  /** Returns the value when it has the namespace's shape; throws a `TypeError` otherwise. */
  readonly check: Check<T>;
}

/**
 * Declares a namespace. The relay's own are declared once, in {@link namespaces}; tests and embedders
 * may declare their own (any name not used there).
 * @throws TypeError when `name` is not a non-empty string or `check` not a function.
 */
export function defineNamespace<T>(name: string, check: Check<T>): Namespace<T> {
  if (typeof name !== 'string' || name === '') throw expected('name', 'a non-empty string', name);
  if (typeof check !== 'function') throw expected('check', 'a function', check);
  return Object.freeze({ name, check });
}

/** The newest suite_ticket pushed to the command URL (every 10 min, valid 30 min; doc 90628). */
export interface SuiteTicketRecord {
  readonly ticket: string;
  /** The push's `TimeStamp`, in seconds: the newer-wins version. */
  readonly timestamp: number;
}

/** A suite_access_token or a corp access_token, as stored and cached. */
export interface StoredToken {
  readonly token: string;
  /** Epoch ms when WeCom stops accepting it (`fetchedAt + expires_in`). */
  readonly expiresAt: number;
  /** Epoch ms of the fetch: the newer-wins version, so a slow, older fetch never overwrites a newer token. */
  readonly fetchedAt: number;
}

/** `active` = has a permanent code; `revoked` = cancel_auth; `gone` = 40084 / 301007 / 2000002. */
export type CorpState = 'active' | 'revoked' | 'gone';

/** What the relay keeps about an authorizing corp (namespace `corp`). */
export interface CorpRecord {
  /** The (provider-scoped) corp id from `auth_corp_info.corpid`. */
  readonly corpId: string;
  /** The long-lived secret; absent once revoked or gone. Never logged, never forwarded. */
  readonly permanentCode?: string;
  readonly corpName: string | null;
  readonly authCorpInfo: AuthCorpInfo | null;
  readonly authInfo: AuthInfo | null;
  readonly authUserInfo: AuthUserInfo | null;
  readonly dealerCorpInfo: DealerCorpInfo | null;
  readonly state: CorpState;
  /** Epoch ms of the last AuthCode exchange (create_auth / reset_permanent_code), or null. */
  readonly authorizedAt: number | null;
  /** Epoch ms of the last write. */
  readonly updatedAt: number;
}

/** What is kept per issued install `state`: never the pre-auth code. */
export interface InstallStateRecord {
  readonly suiteId: string;
  /** Epoch ms. */
  readonly issuedAt: number;
}

/** A cached userid → open_userid conversion, or WeCom's verdict that the userid is invalid. */
export type OpenUserIdEntry = string | { readonly invalid: true };

/** A target's runtime state (set by a permanent-failure answer or `wecom-relay targets disable`). */
export interface TargetState {
  readonly disabled: boolean;
  /** Why it was disabled (a 410, an invalid bot key …), or null. */
  readonly reason: string | null;
  readonly changedAt: number;
}

/** A passive reply sent for a callback, so a WeCom retry gets the same reply without calling the hook again. */
export interface StoredReply {
  readonly reply: PassiveReply;
  /** The plaintext reply XML that was encrypted (re-encrypted, with a fresh nonce, for a retry). */
  readonly xml: string;
  /** Epoch ms. */
  readonly repliedAt: number;
}

/** What the relay keeps per reconciled (app, corp, scope) between runs (namespace `sync_state`, SPEC §12). */
export interface SyncStateRecord {
  /** Bumped at every snapshot replacement; part of the reconciled events' ids (see daemon/sync/sync-event-id.ts). */
  readonly generation: number;
  /** Ids in the snapshot after the last run. */
  readonly total: number;
  /** Epoch ms of the last run's start and end. */
  readonly startedAt: number;
  readonly completedAt: number;
}

/** A sync run in progress (namespace `sync_run`): enough to resume it after a kill. */
export interface SyncRunRecord {
  readonly runId: string;
  readonly startedAt: number;
  /** The snapshot generation the run diffs against (null: no snapshot yet, the run is the baseline). */
  readonly baseGeneration: number | null;
  /** `list` (paging into the staging set), `diff`, `swap`. */
  readonly phase: 'list' | 'diff' | 'swap';
  /** The lister's own resume position (opaque to the runner). */
  readonly position: Readonly<Record<string, unknown>>;
  readonly pages: number;
  readonly ids: number;
}

/** The probe `wecom-relay doctor` writes and deletes to check the store takes writes. */
export interface DoctorProbe {
  readonly at: number;
}

const storedToken = object<StoredToken>({ token: string, expiresAt: number, fetchedAt: number });
/** The nested WeCom objects of a corp record are carried as WeCom sent them: checked to be objects only. */
const wecomObject = <T>(): Check<T | null> => nullable(anyObject as Check<unknown> as Check<T>);

/**
 * Every namespace the relay uses, declared once with its value type.
 *
 * | namespace | key | value | written by |
 * | --- | --- | --- | --- |
 * | `suite_ticket` | app id (SuiteID) | {@link SuiteTicketRecord} (newer-wins by TimeStamp, 30 min) | token provider |
 * | `suite_token` | app id (SuiteID) | {@link StoredToken} (newer-wins by fetchedAt) | token provider |
 * | `corp_token` | `<appId>:<corpId>` (`appCorpKey`) | {@link StoredToken} | token provider (one per app) |
 * | `corp` | `<appId>:<corpId>` | {@link CorpRecord} | corp registry (one per app) |
 * | `install_state` | one-use state | {@link InstallStateRecord} (10 min) | install routes |
 * | `open_userid` | `corpId:userId` | {@link OpenUserIdEntry} | enrichment |
 * | `chat_mem_ver` | `corpId:chatId` | the chat's last CurMemVer (string) | enrichment |
 * | `target` | target name | {@link TargetState} | delivery, CLI |
 * | `reply` | callback (event) id | {@link StoredReply} (7 days) | receiver (passive replies) |
 * | `doctor` | probe id | {@link DoctorProbe} (1 min) | `wecom-relay doctor` |
 * | `jsapi_ticket` | `<appId>:<corpId>:corp` or `…:agent_config` | {@link StoredToken} (the ticket, until expiry) | gateway (JS-SDK route) |
 * | `sync_state` | `<appId>:<corpId>:<scope>` | {@link SyncStateRecord} | sync run |
 * | `sync_run` | `<appId>:<corpId>:<scope>` | {@link SyncRunRecord} (while a run is in progress) | sync run |
 *
 * The one-suite release keyed `corp` and `corp_token` by corp id alone; `migrateAppKeys` rewrites such a
 * store at start-up. `open_userid` and `chat_mem_ver` stay keyed by corp: open_userids are provider-scoped
 * (the same for every app of the provider) and a chat's member version is the chat's, whichever app reads it.
 */
export const namespaces = Object.freeze({
  suiteTicket: defineNamespace<SuiteTicketRecord>('suite_ticket', object<SuiteTicketRecord>({ ticket: string, timestamp: number })),
  suiteToken: defineNamespace<StoredToken>('suite_token', storedToken),
  corpToken: defineNamespace<StoredToken>('corp_token', storedToken),
  corp: defineNamespace<CorpRecord>('corp', object<CorpRecord>({
    corpId: string,
    permanentCode: optional(string),
    corpName: nullable(string),
    authCorpInfo: wecomObject<AuthCorpInfo>(),
    authInfo: wecomObject<AuthInfo>(),
    authUserInfo: wecomObject<AuthUserInfo>(),
    dealerCorpInfo: wecomObject<DealerCorpInfo>(),
    state: literal<CorpState>('active', 'revoked', 'gone'),
    authorizedAt: nullable(number),
    updatedAt: number,
  })),
  installState: defineNamespace<InstallStateRecord>('install_state', object<InstallStateRecord>({ suiteId: string, issuedAt: number })),
  openUserId: defineNamespace<OpenUserIdEntry>('open_userid',
    either(string, object<{ readonly invalid: true }>({ invalid: literal(true) }), 'an open_userid or { invalid: true }')),
  chatMemberVersion: defineNamespace<string>('chat_mem_ver', string),
  target: defineNamespace<TargetState>('target', object<TargetState>({ disabled: boolean, reason: nullable(string), changedAt: number })),
  reply: defineNamespace<StoredReply>('reply', object<StoredReply>({ reply: anyObject as Check<unknown> as Check<PassiveReply>, xml: string, repliedAt: number })),
  doctor: defineNamespace<DoctorProbe>('doctor', object<DoctorProbe>({ at: number })),
  // JS-SDK tickets (get_jsapi_ticket, ticket/get?type=agent_config): same shape as a token, `token` = the ticket.
  jsapiTicket: defineNamespace<StoredToken>('jsapi_ticket', storedToken),
  syncState: defineNamespace<SyncStateRecord>('sync_state', object<SyncStateRecord>({ generation: number, total: number, startedAt: number, completedAt: number })),
  syncRun: defineNamespace<SyncRunRecord>('sync_run', object<SyncRunRecord>({
    runId: string, startedAt: number, baseGeneration: nullable(number), phase: literal('list', 'diff', 'swap'),
    position: anyObject, pages: number, ids: number,
  })),
});
