import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Teardown } from '../../e2e/helpers/recording-target.js';

/**
 * How the target treats one request:
 * - `ok`: 200 `{"ok":true}`;
 * - `{ status, headers?, body? }`: that answer;
 * - `hang`: reads the request and never answers (the socket stays open until the sender gives up);
 * - `reset`: a TCP RST before any byte of the response;
 * - `reset-mid-body`: status line, headers and half of a promised body, then a TCP RST;
 * - `{ trickle }`: a 200 whose body arrives one byte every `intervalMs` (a slowloris target).
 */
export type Misbehaviour =
  | 'ok'
  | 'hang'
  | 'reset'
  | 'reset-mid-body'
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | { readonly trickle: { readonly intervalMs: number; readonly bytes: number } };

/** One request the target saw. */
export interface SeenRequest {
  /** `Date.now()` when the body had arrived. */
  readonly at: number;
  /** The `webhook-id` header: the event id (json format). */
  readonly eventId: string;
  /** 1-based: the how-many-th request for this event. */
  readonly attempt: number;
  readonly behaviour: Misbehaviour;
}

/** A misbehaving webhook target on 127.0.0.1, port 0. */
export interface FaultyTarget {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a target that answers each request as `behave(eventId, attempt, n)` says; `t.teardown` closes it. */
export async function startFaultyTarget(
  t: Teardown,
  behave: (request: { readonly eventId: string; readonly attempt: number; readonly n: number; readonly at: number }) => Misbehaviour,
): Promise<FaultyTarget> {
  const seen: SeenRequest[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const header = req.headers['webhook-id'];
      const eventId = (Array.isArray(header) ? header[0] : header) ?? '';
      const attempt = (attempts.get(eventId) ?? 0) + 1;
      attempts.set(eventId, attempt);
      const at = Date.now();
      const behaviour = behave({ eventId, attempt, n: seen.length + 1, at });
      seen.push({ at, eventId, attempt, behaviour });
      answer(req, res, behaviour, timers);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const target: FaultyTarget = {
    url: `http://127.0.0.1:${port}`,
    seen,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
  t.teardown(() => target.close());
  return target;
}

function answer(req: IncomingMessage, res: ServerResponse, behaviour: Misbehaviour, timers: Set<NodeJS.Timeout>): void {
  if (behaviour === 'hang') return;
  if (behaviour === 'reset') {
    req.socket.resetAndDestroy();
    return;
  }
  if (behaviour === 'reset-mid-body') {
    const body = '{"ok":true,"padding":"' + 'x'.repeat(64) + '"}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.write(body.slice(0, body.length >> 1), () => {
      // Let the first half reach the client before the RST.
      const timer = setTimeout(() => { timers.delete(timer); req.socket.resetAndDestroy(); }, 20);
      timers.add(timer);
    });
    return;
  }
  if (behaviour === 'ok') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if ('trickle' in behaviour) {
    const { intervalMs, bytes } = behaviour.trickle;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': bytes });
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || sent >= bytes) {
        clearInterval(timer);
        timers.delete(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write('.');
      sent += 1;
    }, intervalMs);
    timers.add(timer);
    return;
  }
  const body = behaviour.body ?? '';
  res.writeHead(behaviour.status, { 'content-type': 'text/plain', ...behaviour.headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
