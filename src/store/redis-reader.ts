import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { exists, toCallbackRecord, toDeliveryRecord, toHash } from './redis-records.js';
import { runScript } from './redis-scripts.js';
import { matchesGlob } from './glob.js';
import type { CallbackRecord, CallbackState, DeliveryRecord, DeliveryState, ListCallbacksQuery, ListDeliveriesQuery } from './records.js';

/** A record found through an index, with its index score and member (for ordering merged lists). */
export interface Indexed<R> {
  readonly record: R;
  readonly score: number;
  /** `<seq>:<id>`: sorts like insertion order among equal scores. */
  readonly member: string;
}

/** What `listCallbacks` filters on, read before whole records. */
interface CallbackFilterFields {
  readonly state: CallbackState;
  readonly type: string;
  readonly corpId: string | null;
  readonly receivedAt: number;
  readonly suiteId: string;
}

/** What `listDeliveries` filters on, read before whole records. */
interface DeliveryFilterFields {
  readonly state: DeliveryState;
  readonly target: string;
  readonly eventId: string;
  readonly createdAt: number;
  readonly seq: string;
}

/** A time range on an index score: `since` inclusive, `until` exclusive. */
export interface ScoreRange {
  readonly since?: number | undefined;
  readonly until?: number | undefined;
}

/** The id in an index member `<seq>:<id>`. */
export function idOf(member: string): string {
  return member.slice(member.indexOf(':') + 1);
}

/** Newest first: by score, then by insertion sequence (the member), both descending. */
export function newestFirst<R>(a: Indexed<R>, b: Indexed<R>): number {
  return b.score - a.score || (a.member < b.member ? 1 : a.member > b.member ? -1 : 0);
}

/**
 * The read side of the Redis store: records by id and lists walked newest first through the sorted-set
 * indexes, every record checked against the query (the hash is the truth; an index may lag).
 */
export class RedisReader {
  readonly #client: Redis;
  readonly #keys: RedisKeys;

  constructor(client: Redis, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  /** Callbacks by id, undefined where absent. */
  async callbacks(ids: readonly string[]): Promise<Array<CallbackRecord | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.#client.pipeline();
    for (const id of ids) pipeline.hgetall(this.#keys.full(this.#keys.callback(id)));
    return ((await pipeline.exec()) ?? []).map(([error, reply]) => {
      if (error) throw error;
      const hash = toHash(reply);
      return exists(hash) ? toCallbackRecord(hash) : undefined;
    });
  }

  /** Deliveries by id with their events (one script), undefined where absent; `seq` orders ties. */
  async deliveries(ids: readonly string[]): Promise<Array<{ readonly record: DeliveryRecord; readonly seq: string } | undefined>> {
    if (ids.length === 0) return [];
    const rows = await runScript(this.#client, 'readDeliveries', [this.#keys.prefix, ...ids]) as Array<[unknown, string]>;
    return rows.map(([flat, event]) => {
      const hash = toHash(flat);
      return exists(hash) && event !== '' ? { record: toDeliveryRecord(hash, event), seq: hash['seq'] ?? '' } : undefined;
    });
  }

  /**
   * See `Store.listCallbacks`. Two phases: the index is walked reading only the fields the query filters
   * on, then the (at most `limit`) matches are read whole — a type glob over a long history never
   * transfers every plaintext.
   */
  async listCallbacks(query: ListCallbacksQuery, limit: number): Promise<CallbackRecord[]> {
    const keep = (r: CallbackFilterFields): boolean =>
      (query.state === undefined || r.state === query.state) &&
      (query.type === undefined || matchesGlob(r.type, query.type)) &&
      (query.corpId === undefined || r.corpId === query.corpId) &&
      (query.suiteId === undefined || r.suiteId === query.suiteId) &&
      inRange(r.receivedAt, query);
    const read = (ids: readonly string[]): Promise<Array<CallbackFilterFields | undefined>> =>
      this.#fields(ids, 'cb', ['state', 'type', 'corpId', 'receivedAt', 'suiteId'], ([state, type, corpId, receivedAt, suiteId]) =>
        ({ state: state as CallbackState, type: type ?? '', corpId: corpId ?? null, receivedAt: Number(receivedAt), suiteId: suiteId ?? '' }));
    const found = await this.walk(this.#keys.callbackIndex(query.state), query, limit, read, keep);
    const records = await this.callbacks(found.map((f) => idOf(f.member)));
    return records.filter((r): r is CallbackRecord => r !== undefined);
  }

  /** See `Store.listDeliveries`; two phases like {@link RedisReader.listCallbacks}. */
  async listDeliveries(query: ListDeliveriesQuery, limit: number): Promise<DeliveryRecord[]> {
    const keep = (r: DeliveryFilterFields): boolean =>
      (query.state === undefined || r.state === query.state) &&
      (query.target === undefined || r.target === query.target) &&
      (query.eventId === undefined || r.eventId === query.eventId) &&
      inRange(r.createdAt, query);
    const read = (ids: readonly string[]): Promise<Array<DeliveryFilterFields | undefined>> =>
      this.#fields(ids, 'dl', ['state', 'target', 'eventId', 'createdAt', 'seq'], ([state, target, eventId, createdAt, seq]) =>
        ({ state: state as DeliveryState, target: target ?? '', eventId: eventId ?? '', createdAt: Number(createdAt), seq: seq ?? '' }));

    let found: Array<Indexed<DeliveryFilterFields>>;
    if (query.eventId !== undefined) {
      const ids = await this.#client.smembers(this.#keys.full(this.#keys.eventDeliveries(query.eventId)));
      found = (await read(ids)).flatMap((d, i) =>
        d !== undefined && keep(d) ? [{ record: d, score: d.createdAt, member: `${d.seq}:${ids[i] as string}` }] : []);
    } else if (query.target !== undefined || query.state === undefined) {
      found = await this.walk(this.#keys.deliveryIndex(query.target, query.state), query, limit, read, keep);
    } else {
      // A state across every target: the newest `limit` of each target's state index, merged.
      const targets = await this.#client.smembers(this.#keys.full(this.#keys.targets));
      const state = query.state;
      found = (await Promise.all(targets.map((t) => this.walk(this.#keys.deliveryIndex(t, state), query, limit, read, keep)))).flat();
    }
    const newest = found.sort(newestFirst).slice(0, limit);
    const records = await this.deliveries(newest.map((f) => idOf(f.member)));
    return records.flatMap((d) => (d === undefined ? [] : [d.record]));
  }

  /** Every member of an index within `range` (no limit), oldest first. */
  async members(index: string, range: ScoreRange): Promise<string[]> {
    const { min, max } = bounds(range);
    return this.#client.zrangebyscore(this.#keys.full(index), min, max);
  }

  /**
   * Walks an index newest first within `range`, reading records page by page and keeping those `keep`
   * accepts, until `limit` are found or the index ends.
   */
  async walk<R>(
    index: string, range: ScoreRange, limit: number,
    read: (ids: readonly string[]) => Promise<Array<R | undefined>>, keep: (record: R) => boolean,
  ): Promise<Array<Indexed<R>>> {
    const { min, max } = bounds(range);
    const pageSize = Math.min(Math.max(limit, 50), 1000);
    const found: Array<Indexed<R>> = [];
    for (let offset = 0; found.length < limit; offset += pageSize) {
      const page = await this.#client.zrevrangebyscore(this.#keys.full(index), max, min, 'WITHSCORES', 'LIMIT', offset, pageSize);
      const members: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i + 1 < page.length; i += 2) {
        members.push(page[i] as string);
        scores.push(Number(page[i + 1]));
      }
      const records = await read(members.map(idOf));
      records.forEach((record, i) => {
        if (record !== undefined && found.length < limit && keep(record)) {
          found.push({ record, score: scores[i] as number, member: members[i] as string });
        }
      });
      if (members.length < pageSize) break;
    }
    return found;
  }

  /** Some fields of hashes `<kind>:<id>`, mapped by `map`; undefined where the hash is absent. */
  async #fields<R>(ids: readonly string[], kind: 'cb' | 'dl', fields: readonly string[], map: (values: Array<string | undefined>) => R): Promise<Array<R | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.#client.pipeline();
    for (const id of ids) pipeline.hmget(this.#keys.full(`${kind}:${id}`), ...fields);
    return ((await pipeline.exec()) ?? []).map(([error, reply]) => {
      if (error) throw error;
      const values = (reply as Array<string | null>).map((v) => v ?? undefined);
      return values[0] === undefined ? undefined : map(values);
    });
  }
}

function bounds(range: ScoreRange): { readonly min: string; readonly max: string } {
  return {
    min: range.since === undefined ? '-inf' : String(range.since),
    max: range.until === undefined ? '+inf' : `(${range.until}`,
  };
}

function inRange(at: number, range: ScoreRange): boolean {
  return (range.since === undefined || at >= range.since) && (range.until === undefined || at < range.until);
}
