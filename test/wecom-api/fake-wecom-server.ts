import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake server received. */
export interface SeenRequest {
  readonly method: string;
  /** The path below `/cgi-bin/`, e.g. `externalcontact/get`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** What a route answers: a JSON object, or a raw status/body. */
export type FakeAnswer = object | { readonly status: number; readonly raw: string; readonly contentType?: string };

/** Decides the answer to one request (may wait, to hold requests in flight). */
export type FakeRoute = (request: SeenRequest, index: number) => FakeAnswer | Promise<FakeAnswer>;

/** A tiny local stand-in for the WeCom API, listening on port 0 (test-only; not the project's mock API). */
export interface FakeWecomServer {
  /** `http://127.0.0.1:<port>`, the client's `baseUrl`. */
  readonly baseUrl: string;
  readonly requests: SeenRequest[];
  /** Sets the route for a path (below `/cgi-bin/`). Unrouted paths answer 404. */
  route(path: string, answer: FakeRoute): void;
  close(): Promise<void>;
}

/** Starts a {@link FakeWecomServer}. */
export async function startFakeWecomServer(): Promise<FakeWecomServer> {
  const routes = new Map<string, FakeRoute>();
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/cgi-bin\//, ''),
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? undefined : JSON.parse(text),
      };
      const index = requests.filter((r) => r.path === seen.path).length;
      requests.push(seen);
      const route = routes.get(seen.path);
      Promise.resolve(route ? route(seen, index) : { status: 404, raw: 'not found' }).then((answer) => {
        if ('status' in answer && 'raw' in answer) {
          res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' }).end(answer.raw);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        }
      }, (error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    route(path, answer) {
      routes.set(path, answer);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
