import { spawn } from 'node:child_process';
import type { Teardown } from '../../e2e/helpers/recording-target.js';

/** One request the recorder received. */
export interface RecordedArrival {
  /** The recorder's `Date.now()` when the request's headers arrived. */
  readonly at: number;
  /** The `webhook-id` header ('' when absent). */
  readonly id: string;
}

/** A recording webhook target in a process of its own. */
export interface RecorderProcess {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly arrivals: RecordedArrival[];
  /** Resolves true once `predicate(arrivals)` holds (re-checked on each arrival), false after `timeoutMs`. */
  waitFor(predicate: (arrivals: readonly RecordedArrival[]) => boolean, timeoutMs: number): Promise<boolean>;
}

// Answers 200 at once and prints one JSON line per request as soon as its headers arrive.
const RECORDER = `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  const at = Date.now();
  process.stdout.write(JSON.stringify({ at, id: String(req.headers['webhook-id'] ?? '') }) + '\\n');
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port }) + '\\n'));
`;

/**
 * Starts a recording target in a child process, so the arrival times it stamps are not held back by
 * whatever the test process is doing (posting, polling Redis, tap itself): rate checks measure the relay,
 * not the test. `t.teardown` kills it.
 */
export async function startRecorderProcess(t: Teardown): Promise<RecorderProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RECORDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  const arrivals: RecordedArrival[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let resolveUrl: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    child.once('exit', (code) => reject(new Error(`the recorder exited (${code}) before listening`)));
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = JSON.parse(buffer.slice(0, nl)) as { url?: string; at?: number; id?: string };
      buffer = buffer.slice(nl + 1);
      if (line.url !== undefined) resolveUrl(line.url);
      else arrivals.push({ at: line.at!, id: line.id! });
    }
    for (const waiter of [...waiters]) waiter();
  });
  return {
    url: await url,
    arrivals,
    waitFor(predicate, timeoutMs) {
      if (predicate(arrivals)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (result: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(result);
        };
        const check = () => { if (predicate(arrivals)) finish(true); };
        const timer = setTimeout(() => finish(predicate(arrivals)), timeoutMs);
        waiters.add(check);
      });
    },
  };
}
