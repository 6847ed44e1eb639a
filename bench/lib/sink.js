/**
 * A local HTTP sink for delivery benchmarks, in a child process (so neither its event loop nor its CPU
 * time is the sender's). It answers every POST with 200 `{"ok":true}`, after `delayMs` if set, and counts
 * answers and distinct `webhook-id`s. Loopback only; it exits when the parent disconnects.
 */
import { fork } from 'node:child_process';

/**
 * @param {{ delayMs?: number }} [options]
 * @returns {Promise<{ url: string, count: () => Promise<number>, distinct: () => Promise<number>, reset: () => Promise<void>, close: () => Promise<void> }>}
 */
export function startSink(options = {}) {
  const child = fork(new URL('./sink-child.js', import.meta.url), [String(options.delayMs ?? 0)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  const ask = (type) => new Promise((resolve) => {
    waiting.push(resolve);
    child.send({ type });
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sink exited early with ${code}`)));
    child.once('message', (first) => {
      child.on('message', (m) => waiting.shift()?.(m.value));
      resolve({
        url: `http://127.0.0.1:${first.port}`,
        /** Requests answered so far. */
        count: () => ask('count'),
        /** Distinct `webhook-id`s (the body, for requests without one) received so far. */
        distinct: () => ask('distinct'),
        /** Zeroes both counters. */
        reset: () => ask('reset').then(() => undefined),
        close: () => new Promise((done) => {
          child.removeAllListeners('exit');
          child.once('exit', () => done());
          child.disconnect();
        }),
      });
    });
  });
}
