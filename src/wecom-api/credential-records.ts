import { namespaces, type CorpRecord, type Namespace, type StoredToken } from '../store/namespaces.js';
import type { Store } from '../store/store.js';

export type { CorpRecord, CorpState, StoredToken, SuiteTicketRecord } from '../store/namespaces.js';

/**
 * Where each app's credentials live in the store's keyed state, so that every process (receiver, daemons)
 * shares them (the namespaces and their value types are declared in `src/store/namespaces.ts`). The store file is created 0600: permanent codes and tokens are stored in the clear.
 *
 * | namespace | key | value | version | ttl |
 * | --- | --- | --- | --- | --- |
 * | `suite_ticket` | suite id | {@link SuiteTicketRecord} | the push's `TimeStamp` (s): newer-wins | 30 min |
 * | `suite_token` | suite id | {@link StoredToken} | `fetchedAt` (ms): newer-wins | until `expiresAt` |
 * | `corp_token` | `<appId>:<corpId>` | {@link StoredToken} | `fetchedAt` (ms): newer-wins | until `expiresAt` |
 * | `corp` | `<appId>:<corpId>` | {@link CorpRecord} | write time | none |
 *
 * The app id is the app's SuiteID (a suite, a contact-edit authorization, a customized template), so one
 * corp that installs two apps has two records and two token sets (`appCorpKey`, SPEC §10); a store of the
 * one-suite release (corp id alone) is rewritten at start-up by `migrateAppKeys`.
 *
 * Refresh locks (via `acquireLock`): `lock:suite_token:<suiteId>` and `lock:corp_token:<appId>:<corpId>`.
 *
 * The suite ticket has a namespace of its own and token invalidation never touches it: an SDK that flushed
 * "all credentials" on 42001 also lost the ticket and was down until the next push (go-laoji/wecom-go-sdk #13).
 */
export const CREDENTIAL_NAMESPACES = {
  suiteTicket: namespaces.suiteTicket,
  suiteToken: namespaces.suiteToken,
  corpToken: namespaces.corpToken,
  corp: namespaces.corp,
} as const;

/** The namespaces holding tokens. */
export type TokenNamespace = Namespace<StoredToken>;

/** The store lock key that serializes refreshes of one token across processes. */
export function refreshLockKey(namespace: TokenNamespace, key: string): string {
  return `lock:${namespace.name}:${key}`;
}

/** A corp's authorization without its permanent code: safe to log, return from APIs and forward. */
export type CorpAuthorization = Omit<CorpRecord, 'permanentCode'>;

/** The part of the {@link Store} contract the credential code uses (any full `Store` satisfies it). */
export type CredentialStore = Pick<Store, 'getKv' | 'putKv' | 'deleteKv' | 'listKv' | 'acquireLock' | 'releaseLock'>;

export type { Namespace };
export { appCorpKey, parseAppCorpKey } from '../store/app-corp-key.js';

/** Drops the permanent code from a corp record. */
export function toCorpAuthorization(record: CorpRecord): CorpAuthorization {
  const { permanentCode: _secret, ...authorization } = record;
  return authorization;
}
