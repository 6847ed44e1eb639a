import { endOfTurn } from './end-of-turn.js';

/** Options of a {@link Batcher}. */
export interface BatcherOptions<T, R> {
  /** Writes a whole batch in one store round trip; resolves one result per item, in order. */
  readonly flush: (items: readonly T[]) => Promise<readonly R[]>;
  /** Most items in one flush. @default 128 */
  readonly maxBatch?: number;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Asynchronous group commit: an item pushed while no flush is running is flushed at the end of this turn
 * of the event loop ({@link endOfTurn}), together with every item pushed in the same turn; items pushed
 * while a flush runs wait for it and go together in the next (so under load one round trip carries
 * many). The end of the turn, not a microtask: a synchronous store (SQLite) finishes a flush before the
 * next I/O callback, so a microtask would flush every send's outcome alone. No timer: an item waits at
 * most for the end of the turn and the flush ahead of it, which keeps it well inside any lease. A failed
 * flush rejects each of its items.
 */
export class Batcher<T, R> {
  private readonly flushBatch: (items: readonly T[]) => Promise<readonly R[]>;
  private readonly maxBatch: number;
  private queue: Array<Waiting<T, R>> = [];
  private running: Promise<void> | undefined;
  /** Flushes so far (for tests and metrics). */
  flushes = 0;

  constructor(options: BatcherOptions<T, R>) {
    const maxBatch = options.maxBatch ?? 128;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new TypeError(`Expected \`maxBatch\` to be a positive integer, got \`${String(maxBatch)}\` (${typeof maxBatch})`);
    }
    this.flushBatch = options.flush;
    this.maxBatch = maxBatch;
  }

  /** Queues `item`; resolves its result once its batch was written. */
  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when nothing is queued or being written. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the pushes of this turn of the event loop join the first batch.
    await endOfTurn();
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.flushes += 1;
        try {
          const results = await this.flushBatch(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve(results[i] as R));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
