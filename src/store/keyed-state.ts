import type { Namespace } from './namespaces.js';
import type { DeleteKvOptions, KvRecord, PutKvOptions } from './records.js';

/**
 * Small keyed state shared by every process: credentials, caches, target state, install states. Values
 * live in a typed {@link Namespace} (declared once in `namespaces.ts`) and are checked against its shape
 * when written (`TypeError`) and when read (a stored value of the wrong shape rejects with
 * `ERR_STORE_UNAVAILABLE`, never comes back mistyped). `now` defaults to the store's clock.
 */
export interface KeyedState {
  /** A value, or undefined when absent or expired at `now`. */
  getKv<T>(ns: Namespace<T>, key: string, now?: number): Promise<KvRecord<T> | undefined>;
  /**
   * Writes a value. With `ifNewer`, writes only when there is no live value or `version` is greater than
   * the stored one (newer-wins; e.g. a suite_ticket's TimeStamp). Resolves whether it wrote.
   */
  putKv<T>(ns: Namespace<T>, key: string, value: T, options?: PutKvOptions): Promise<boolean>;
  /**
   * Deletes a value. With `ifValue`, deletes only when the stored value is deep-equal to it (invalidate a
   * token only if it is still the failing value); an `ifValue` that is present but undefined matches
   * nothing. Resolves whether it deleted.
   */
  deleteKv<T>(ns: Namespace<T>, key: string, options?: DeleteKvOptions<T>): Promise<boolean>;
  /** Every live key/value of a namespace, sorted by key. */
  listKv<T>(ns: Namespace<T>, now?: number): Promise<Array<KvRecord<T> & { readonly key: string }>>;
  /**
   * Takes a value and deletes it in one step (one-use tokens such as install `state`s). Resolves undefined
   * when absent or expired; two concurrent takes never both get the value.
   */
  takeKv<T>(ns: Namespace<T>, key: string, now?: number): Promise<KvRecord<T> | undefined>;
}
