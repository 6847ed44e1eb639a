import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockWecomApi } from './mock-wecom-api.js';
import type { MockWecomApi, MockWecomApiOptions } from './mock-types.js';

/** Request bodies above this are refused with 413 (the APIs served take small JSON bodies)… */
const MAX_BODY_BYTES = 1024 * 1024;
/** …except media uploads: WeCom takes files up to 20 MB (`file`), sent as multipart. */
const MAX_UPLOAD_BYTES = 21 * 1024 * 1024;

/** Options of {@link startMockWecomApi}: the mock's options plus where to listen. */
export interface StartMockWecomApiOptions extends MockWecomApiOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
}

/** A listening mock: point a client's WeCom API base URL at `url`. */
export interface StartedMockWecomApi extends MockWecomApi {
  /** e.g. `http://127.0.0.1:39512` (no trailing slash); the APIs are under `${url}/cgi-bin/`. */
  readonly url: string;
  /** Stops listening and drops open connections, including hung (injected `hang`) requests. */
  close(): Promise<void>;
}

/** Creates the mock ({@link createMockWecomApi}) and serves it over node:http. */
export async function startMockWecomApi(options: StartMockWecomApiOptions): Promise<StartedMockWecomApi> {
  const { host = '127.0.0.1', port = 0, ...mockOptions } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`Expected \`port\` to be an integer 0-65535, got \`${String(port)}\` (${typeof port})`);
  }
  const api = createMockWecomApi(mockOptions);
  const server = createServer((req, res) => {
    void serve(api, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  // Idempotent: a test may stop the mock (WeCom unreachable) before its teardown does.
  const close = (): Promise<void> => (closing ??= new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  }));
  return Object.assign(api, { url: `http://${hostInUrl}:${address.port}`, close });
}

async function serve(api: MockWecomApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  let body: Buffer;
  try {
    body = await readBody(req, /^\/cgi-bin\/media\/upload/.test(req.url ?? '') ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES);
  } catch {
    if (!res.destroyed) res.writeHead(413, { connection: 'close' }).end();
    return;
  }
  const response = await api.handle({
    method: req.method ?? 'GET', url: req.url ?? '/', rawBody: body, signal: controller.signal,
    ...(req.headers['content-type'] === undefined ? {} : { contentType: req.headers['content-type'] }),
    ...(req.socket.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress }),
  });
  if (res.destroyed || res.headersSent) return;
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new RangeError('body too large'));
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
