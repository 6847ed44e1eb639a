/**
 * A small closed-loop HTTP load generator on node:http: `connections` keep-alive sockets, each sending its
 * next request as soon as the previous answer arrived, until `maxRequests` were sent or `maxMs` passed
 * (whichever first), then it stops by itself. Loopback only. {@link runLoadInChild} runs it in a child
 * process, so the generator shares neither the event loop nor the CPU accounting (`process.cpuUsage()`) of
 * the server under test.
 */
import { fork } from 'node:child_process';
import http from 'node:http';

/**
 * @typedef {object} LoadRequest
 * @property {string} path  path and query string
 * @property {string | Uint8Array} body
 * @property {Record<string, string>} [headers]
 */

/**
 * @typedef {object} LoadOptions
 * @property {string} url  `http://127.0.0.1:port` (loopback only)
 * @property {ReadonlyArray<LoadRequest>} requests  sent in order; each at most once
 * @property {number} connections
 * @property {number} [maxRequests]  default: all of `requests`
 * @property {number} maxMs  stop starting new requests after this long
 * @property {string} [expectBody]  count answers whose body equals this
 */

/**
 * @typedef {object} LoadResult
 * @property {number} sent
 * @property {number} ok  status 200
 * @property {number} expected  status 200 with `expectBody`
 * @property {Record<string, number>} statuses
 * @property {number} errors  network errors
 * @property {number} elapsedMs  first start to last answer
 * @property {Float64Array} latencies  ms, one per answered request, in completion order
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Runs the load on the current thread.
 * @param {LoadOptions} options
 * @returns {Promise<LoadResult>}
 */
export async function runLoad(options) {
  const target = new URL(options.url);
  if (!LOOPBACK.has(target.hostname)) throw new TypeError(`Expected \`url\` to be a loopback URL, got \`${options.url}\``);
  const total = Math.min(options.maxRequests ?? options.requests.length, options.requests.length);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections });
  const latencies = new Float64Array(total);
  const statuses = {};
  let next = 0;
  let done = 0;
  let ok = 0;
  let expected = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.maxMs;

  const one = (request) => new Promise((resolve) => {
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    const t0 = performance.now();
    const req = http.request({
      agent, hostname: target.hostname, port: target.port, method: 'POST', path: request.path,
      headers: { 'content-type': 'text/xml', ...request.headers, 'content-length': body.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        latencies[done++] = performance.now() - t0;
        const status = res.statusCode ?? 0;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) {
          ok++;
          if (options.expectBody !== undefined && Buffer.concat(chunks).toString() === options.expectBody) expected++;
        }
        resolve();
      });
      res.on('error', () => { errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });

  const loop = async () => {
    while (next < total && performance.now() < deadline) {
      const request = options.requests[next++];
      await one(request);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { sent: next, ok, expected, statuses, errors, elapsedMs, latencies: latencies.subarray(0, done) };
}

/**
 * Runs {@link runLoad} in a child process and resolves its result. `hooks.onStart` / `hooks.onEnd` are
 * called when the child starts and finishes the timed part, so the caller can bracket exactly that
 * window (CPU time, event-loop utilization). The child is killed if it has not answered within
 * `maxMs` + 60 s.
 * @param {LoadOptions} options
 * @param {{ onStart?: () => void, onEnd?: () => void }} [hooks]
 * @returns {Promise<LoadResult>}
 */
export function runLoadInChild(options, hooks = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./load-child.js', import.meta.url), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const guard = setTimeout(() => child.kill('SIGKILL'), options.maxMs + 60_000);
    let result;
    child.on('message', (message) => {
      if (message.type === 'start') hooks.onStart?.();
      else if (message.type === 'end') hooks.onEnd?.();
      else if (message.type === 'result') {
        result = message.result;
        child.disconnect();
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(guard);
      if (result) resolve(result);
      else reject(new Error(`load generator exited with ${code} and no result`));
    });
    child.send(options);
  });
}
