import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { createCondition } from './condition.js';

/** One request a recording target received. */
export interface RecordedRequest {
  /** `Date.now()` when the request's headers arrived. */
  readonly at: number;
  /** 1-based arrival order. */
  readonly n: number;
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body, once it has fully arrived ('' until then, and for a request cut off mid-body). */
  body: string;
  /** True once the whole body has arrived. */
  complete: boolean;
}

/** How the target answers one request. */
export interface TargetReply {
  /** @default 200 */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** @default '{"ok":true}' */
  readonly body?: string;
  /** Answer this long after the body arrived: a slow downstream. @default 0 */
  readonly delayMs?: number;
}

/** Options of {@link startRecordingTarget}. */
export interface RecordingTargetOptions {
  /** Decides each answer; `n` is the request's 1-based arrival order. @default 200 `{"ok":true}` */
  readonly respond?: (request: RecordedRequest, n: number) => TargetReply;
}

/** A downstream webhook (or chat bot) on 127.0.0.1, port 0, that records everything it receives. */
export interface RecordingTarget {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Connections currently open to the target. */
  readonly openConnections: number;
  /**
   * Resolves true once `predicate(requests)` holds, re-checked on every request, every completed body
   * and every closed connection; false after `timeoutMs`.
   */
  waitFor(predicate: (requests: readonly RecordedRequest[]) => boolean, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The one thing the helpers need from a tap test. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Starts a {@link RecordingTarget}; `t.teardown` closes it. */
export async function startRecordingTarget(t: Teardown, options: RecordingTargetOptions = {}): Promise<RecordingTarget> {
  const requests: RecordedRequest[] = [];
  const condition = createCondition();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const recorded: RecordedRequest = {
      at: Date.now(), n: requests.length + 1, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: '', complete: false,
    };
    requests.push(recorded);
    condition.changed();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('end', () => {
      recorded.body = Buffer.concat(chunks).toString('utf8');
      recorded.complete = true;
      const reply = options.respond?.(recorded, recorded.n) ?? {};
      const answer = () => {
        if (res.destroyed) return;
        const body = reply.body ?? '{"ok":true}';
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => { timers.delete(timer); answer(); }, reply.delayMs);
        timers.add(timer);
      } else {
        answer();
      }
      condition.changed();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      condition.changed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const target: RecordingTarget = {
    url: `http://127.0.0.1:${port}`,
    requests,
    get openConnections() {
      return sockets.size;
    },
    waitFor: (predicate, timeoutMs) => condition.until(() => predicate(requests), timeoutMs),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  t.teardown(() => target.close());
  return target;
}

/** The parsed JSON body of a request. */
export function jsonBody<T = Record<string, unknown>>(request: RecordedRequest): T {
  return JSON.parse(request.body) as T;
}

/** A request header as one string (the first value of a repeated header). */
export function headerOf(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
