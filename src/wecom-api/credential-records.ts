import type { Store } from '../store/store.js';
import type { AuthCorpInfo, AuthInfo, AuthUserInfo, DealerCorpInfo } from './suite-api-types.js';

/**
 * Where the suite's credentials live in the store's keyed state, so that every process (receiver, daemons)
 * shares them. The store file is created 0600: permanent codes and tokens are stored in the clear.
 *
 * | namespace | key | value | version | ttl |
 * | --- | --- | --- | --- | --- |
 * | `suite_ticket` | suite id | {@link SuiteTicketRecord} | the push's `TimeStamp` (s): newer-wins | 30 min |
 * | `suite_token` | suite id | {@link StoredToken} | `fetchedAt` (ms): newer-wins | until `expiresAt` |
 * | `corp_token` | corp id | {@link StoredToken} | `fetchedAt` (ms): newer-wins | until `expiresAt` |
 * | `corp` | corp id | {@link CorpRecord} | write time | none |
 *
 * Refresh locks (via `acquireLock`): `lock:suite_token:<suiteId>` and `lock:corp_token:<corpId>`.
 *
 * The suite ticket has a namespace of its own and token invalidation never touches it: an SDK that flushed
 * "all credentials" on 42001 also lost the ticket and was down until the next push (go-laoji/wecom-go-sdk #13).
 */
export const CREDENTIAL_NAMESPACES = {
  suiteTicket: 'suite_ticket',
  suiteToken: 'suite_token',
  corpToken: 'corp_token',
  corp: 'corp',
} as const;

/** The store lock key that serializes refreshes of one token across processes. */
export function refreshLockKey(namespace: 'suite_token' | 'corp_token', key: string): string {
  return `lock:${namespace}:${key}`;
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

/** A corp's authorization without its permanent code: safe to log, return from APIs and forward. */
export type CorpAuthorization = Omit<CorpRecord, 'permanentCode'>;

/** The part of the {@link Store} contract the credential code uses (any full `Store` satisfies it). */
export type CredentialStore = Pick<Store, 'getKv' | 'putKv' | 'deleteKv' | 'listKv' | 'acquireLock' | 'releaseLock'>;

/** Drops the permanent code from a corp record. */
export function toCorpAuthorization(record: CorpRecord): CorpAuthorization {
  const { permanentCode: _secret, ...authorization } = record;
  return authorization;
}
