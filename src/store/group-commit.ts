import { expected } from '../expected.js';

/** Options of a {@link GroupCommit}. */
export interface GroupCommitOptions<T, R> {
  /**
   * Writes a whole batch in ONE transaction, synchronously, and returns one result per item in order.
   * Throwing means the transaction rolled back: every item of the batch is rejected.
   */
  readonly commit: (items: readonly T[]) => R[];
  /** Turns what `commit` threw into the error each caller is rejected with. */
  readonly mapError: (error: unknown) => Error;
  /** Called after each successful batch (listener errors are the callee's to catch). */
  readonly onCommitted?: (items: readonly T[], results: readonly R[]) => void;
  /**
   * A batch is flushed at once when it reaches this size, without waiting for the next turn.
   * @default 256
   */
  readonly maxBatch?: number;
}

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Group commit: writes pushed during the same turn of the event loop are queued and flushed together on
 * `setImmediate` (or as soon as `maxBatch` are waiting), so N concurrent durable writes cost one fsync
 * instead of N. Each caller's promise settles only after its batch committed (or rolled back).
 */
export class GroupCommit<T, R> {
  readonly #options: GroupCommitOptions<T, R>;
  readonly #maxBatch: number;
  #queue: Array<Pending<T, R>> = [];
  #timer: NodeJS.Immediate | undefined;
  #batches = 0;

  constructor(options: GroupCommitOptions<T, R>) {
    const maxBatch = options.maxBatch ?? 256;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw expected('maxBatch', 'a positive integer', maxBatch);
    }
    this.#options = options;
    this.#maxBatch = maxBatch;
  }

  /** How many batches (transactions) have been attempted so far. */
  get batches(): number {
    return this.#batches;
  }

  /** How many writes are queued for the next batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues one write; settles once the batch holding it committed or rolled back. */
  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#queue.length >= this.#maxBatch) this.flush();
      else this.#timer ??= setImmediate(() => this.flush());
    });
  }

  /** Writes everything queued now, in batches of at most `maxBatch`. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearImmediate(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#run(batch);
    }
  }

  #run(batch: Array<Pending<T, R>>): void {
    const items = batch.map((p) => p.item);
    this.#batches++;
    let results: R[];
    try {
      results = this.#options.commit(items);
    } catch (error) {
      const mapped = this.#options.mapError(error);
      for (const p of batch) p.reject(mapped);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i] as R));
    this.#options.onCommitted?.(items, results);
  }
}
