import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { WecomRelayError } from '../errors.js';

/** One call passed through to WeCom as the caller made it (the gateway's proxy routes). */
export interface ForwardRequest {
  /** Any HTTP method, e.g. `POST`. */
  readonly method: string;
  /** The API path under `/cgi-bin/` (`media/upload`), no query. */
  readonly path: string;
  /** The whole query string without `?`, the token included (never logged). */
  readonly query: string;
  /** The caller's `content-type`, when it sent one. */
  readonly contentType?: string | undefined;
  /** The body, as received (kept so that a retry sends the same bytes). */
  readonly body?: readonly Buffer[] | undefined;
  /** Queue key (the corp id) for per-corp pacing; absent = not queued. */
  readonly rateKey?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** WeCom's answer: status and content-type as they came, the body either read (JSON/text) or as a stream. */
export interface ForwardResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  /** WeCom's `content-disposition` (media/get names the file in it). */
  readonly contentDisposition: string | undefined;
  /** The body, read, when WeCom answered JSON or text (how every errcode comes) of at most 1 MiB. */
  readonly body: Buffer | undefined;
  /** The errcode of a read JSON body (absent in the body → 0); undefined for a stream or a non-JSON body. */
  readonly errcode: number | undefined;
  /** The body still to read, for anything else (media/get's file): pipe it to the caller. */
  readonly stream: IncomingMessage | undefined;
}

/** Bodies read to look for an errcode; a larger answer is streamed. */
const READ_LIMIT = 1024 * 1024;

/** Whether an answer of this content-type may carry an errcode (WeCom answers errors as JSON, some as text/plain). */
function readable(contentType: string | undefined): boolean {
  return contentType === undefined || /json|^text\//i.test(contentType);
}

/**
 * Sends one request to `<base>/cgi-bin/<path>?<query>` over `agent` (keep-alive), writing the body's chunks
 * as they are (no copy), and resolves when the answer's headers are in: the body read when it may carry an
 * errcode, else left as a stream. Network failures and timeouts reject with `ERR_WECOM_API_HTTP` naming the
 * path only (the query holds the token).
 */
export function forwardCall(base: URL, agent: http.Agent | https.Agent, timeoutMs: number, request: ForwardRequest): Promise<ForwardResponse> {
  const transport = base.protocol === 'https:' ? https : http;
  const prefix = base.pathname.replace(/\/+$/, '');
  const size = (request.body ?? []).reduce((sum, chunk) => sum + chunk.length, 0);
  const headers: Record<string, string | number> = { 'content-length': size };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  return new Promise<ForwardResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      const code = (error as { code?: unknown } | null)?.code;
      const aborted = request.signal?.aborted === true;
      reject(new WecomRelayError('ERR_WECOM_API_HTTP', {
        message: `${request.path}: ${aborted ? 'aborted' : `request failed (${typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error'})`}`,
      }));
    };
    if (request.signal?.aborted) {
      fail(new Error('aborted'));
      return;
    }
    const req = transport.request({
      protocol: base.protocol, hostname: base.hostname, port: base.port || undefined, agent,
      method: request.method, path: `${prefix}/cgi-bin/${request.path}${request.query === '' ? '' : `?${request.query}`}`,
      headers,
    }, (res) => {
      const contentType = res.headers['content-type'];
      const contentDisposition = res.headers['content-disposition'];
      const length = Number(res.headers['content-length'] ?? 0);
      if (!readable(contentType) || length > READ_LIMIT) {
        settled = true;
        resolve({ status: res.statusCode ?? 502, contentType, contentDisposition, body: undefined, errcode: undefined, stream: res });
        return;
      }
      const chunks: Buffer[] = [];
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        const body = Buffer.concat(chunks, read);
        resolve({ status: res.statusCode ?? 502, contentType, contentDisposition, body, errcode: errcodeOf(body), stream: undefined });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', fail);
    // The caller left (or left while the call waited in its corp's queue): not sent, or cut off. A plain
    // listener rather than http.request's `signal` option, whose stream plumbing cost 3 % of a gateway call.
    const { signal } = request;
    if (signal) {
      const abort = () => req.destroy(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
      signal.addEventListener('abort', abort, { once: true });
      req.once('close', () => signal.removeEventListener('abort', abort));
    }
    for (const chunk of request.body ?? []) req.write(chunk);
    req.end();
  });
}

/** `{"errcode": N,` at the start of an answer, as WeCom writes every one that has it. */
const LEADING_ERRCODE = /^\{\s*"errcode"\s*:\s*(-?\d{1,10})\s*[,}]/;

/**
 * The errcode of a JSON answer (absent → 0, as WeCom's token APIs answer success); undefined when not JSON.
 * WeCom writes `errcode` first, so it is read from the first bytes without parsing the whole answer (a
 * page of 1,000 ids); any other shape is parsed.
 */
export function errcodeOf(body: Buffer): number | undefined {
  if (body.length === 0 || body[0] !== 0x7b /* { */) return undefined;
  const leading = LEADING_ERRCODE.exec(body.toString('latin1', 0, 48));
  if (leading) return Number(leading[1]);
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errcode?: unknown };
    const errcode = parsed.errcode;
    if (errcode === undefined || errcode === null) return 0;
    if (typeof errcode === 'number') return errcode;
    return typeof errcode === 'string' && /^-?\d+$/.test(errcode) ? Number(errcode) : undefined;
  } catch {
    return undefined;
  }
}
