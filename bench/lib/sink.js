/**
 * A local HTTP sink for delivery benchmarks, on its own worker thread (its own event loop, so the sender
 * under test does not pay for it). It answers every POST with 200 `{"ok":true}`, after `delayMs` if set,
 * and counts requests in shared memory so the caller can poll without messages. Loopback only.
 */
import { Worker } from 'node:worker_threads';

/**
 * @param {{ delayMs?: number }} [options]
 * @returns {Promise<{ url: string, count: () => number, distinct: () => Promise<number>, reset: () => Promise<void>, close: () => Promise<void> }>}
 */
export function startSink(options = {}) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./sink-worker.js', import.meta.url), { workerData: { counter, delayMs: options.delayMs ?? 0 } });
  const ask = (type) => new Promise((resolve) => {
    worker.once('message', (m) => resolve(m.value));
    worker.postMessage({ type });
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m) => {
      resolve({
        url: `http://127.0.0.1:${m.port}`,
        /** Requests answered so far. */
        count: () => Atomics.load(counter, 0),
        /** Distinct `webhook-id`s (or bodies, without the header) received so far. */
        distinct: () => ask('distinct'),
        /** Zeroes the counters. */
        reset: () => ask('reset'),
        close: () => ask('close').then(() => worker.terminate()).then(() => undefined),
      });
    });
  });
}
