import { LRUCache } from 'lru-cache';
import { WecomRelayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { appCorpKey } from '../store/app-corp-key.js';
import {
  CREDENTIAL_NAMESPACES as NS,
  toCorpAuthorization,
  type CorpAuthorization,
  type CorpRecord,
  type CorpState,
  type CredentialStore,
} from './credential-records.js';

/** A corp record that holds a permanent code. */
export type ActiveCorpRecord = CorpRecord & { readonly state: 'active'; readonly permanentCode: string };

/**
 * One app's authorized corps in the store (namespace `corp`, key = `<appId>:<corpId>`): reads, writes and
 * state changes. Another app's record of the same corp is another key, never touched here. Used by the
 * token provider; it never calls WeCom itself.
 */
export class CorpRegistry {
  readonly #store: CredentialStore;
  readonly #appId: string;
  readonly #now: () => number;
  readonly #logger: Logger;
  /** {@link recent}'s reads: corp id → the record (or none) and when it was read. */
  readonly #recent = new LRUCache<string, { readonly at: number; readonly record: CorpRecord | null }>({ max: 10_000 });

  constructor(store: CredentialStore, appId: string, now: () => number, logger: Logger) {
    this.#store = store;
    this.#appId = appId;
    this.#now = now;
    this.#logger = logger;
  }

  /** The stored record (with its permanent code), or undefined. */
  async get(corpId: string): Promise<CorpRecord | undefined> {
    return (await this.#store.getKv<CorpRecord>(NS.corp, appCorpKey(this.#appId, corpId), this.#now()))?.value;
  }

  /**
   * {@link get}, answered from a read at most `maxAgeMs` old (the gateway checks a corp on every call). A
   * write through this registry drops the corp's entry at once; a change made by another process is seen
   * within `maxAgeMs`.
   */
  async recent(corpId: string, maxAgeMs: number): Promise<CorpRecord | undefined> {
    const now = this.#now();
    const hit = this.#recent.get(corpId);
    if (hit && now - hit.at < maxAgeMs && now >= hit.at) return hit.record ?? undefined;
    const record = await this.get(corpId);
    this.#recent.set(corpId, { at: now, record: record ?? null });
    return record;
  }

  /**
   * The record of a corp that holds a permanent code.
   * @throws {WecomRelayError} `ERR_WECOM_CORP_NOT_AUTHORIZED` when never authorized, revoked or gone
   */
  async active(corpId: string): Promise<ActiveCorpRecord> {
    const record = await this.get(corpId);
    if (!record || record.state !== 'active' || typeof record.permanentCode !== 'string' || record.permanentCode === '') {
      throw new WecomRelayError('ERR_WECOM_CORP_NOT_AUTHORIZED', {
        message: `corp ${corpId} has no active authorization (${record?.state ?? 'never authorized'})`,
      });
    }
    return record as ActiveCorpRecord;
  }

  /** Every corp known to this app, in any state, without permanent codes. */
  async list(): Promise<CorpAuthorization[]> {
    const prefix = appCorpKey(this.#appId, '');
    const records = await this.#store.listKv<CorpRecord>(NS.corp, this.#now());
    return records.filter((record) => record.key.startsWith(prefix)).map((record) => toCorpAuthorization(record.value));
  }

  /** Writes a record (last write wins). */
  async put(record: CorpRecord): Promise<void> {
    const now = this.#now();
    this.#recent.delete(record.corpId);
    try {
      await this.#store.putKv(NS.corp, appCorpKey(this.#appId, record.corpId), record, { version: now, now });
    } finally {
      // Also after the write: a concurrent recent() may have read the old record while it was under way.
      this.#recent.delete(record.corpId);
    }
  }

  /**
   * Marks a corp `revoked` or `gone`: its permanent code is deleted from the record and its stored token is
   * deleted (cancel_auth: "服务商收到取消授权事件后，应当确保删除该企业所有相关的数据"; 40084 means the code is
   * invalid anyway). A corp never seen gets a record in that state, so later callbacks find it.
   */
  async retire(corpId: string, state: Exclude<CorpState, 'active'>): Promise<CorpAuthorization> {
    const previous = await this.get(corpId);
    const kept: CorpAuthorization = previous
      ? toCorpAuthorization(previous)
      : { corpId, corpName: null, authCorpInfo: null, authInfo: null, authUserInfo: null, dealerCorpInfo: null, state, authorizedAt: null, updatedAt: 0 };
    const record: CorpRecord = { ...kept, state, updatedAt: this.#now() };
    await this.put(record);
    await this.#store.deleteKv(NS.corpToken, appCorpKey(this.#appId, corpId));
    this.#logger.warn({ appId: this.#appId, corpId, state }, state === 'revoked' ? 'corp authorization cancelled' : 'corp authorization gone');
    return toCorpAuthorization(record);
  }
}
