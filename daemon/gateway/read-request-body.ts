import type { IncomingMessage } from 'node:http';
import { gatewayError } from './gateway-error.js';

/**
 * The largest body the gateway passes on: WeCom's largest upload (a 20 MiB `file` for media/upload) plus
 * 64 KiB for its multipart framing.
 */
export const GATEWAY_MAX_BODY_BYTES = 20 * 1024 * 1024 + 64 * 1024;

/**
 * Reads a request body as the chunks that arrived (never concatenated: a 20 MiB upload is not copied),
 * refusing it with 413 `ERR_GATEWAY_BODY_TOO_LARGE` as soon as it passes `maxBytes` (a declared
 * content-length beyond it is refused before reading anything).
 *
 * Why buffer and not pipe: a 40014/42001/42007 answer must be retried once with a fresh token and the same
 * bytes, and a body beyond the cap must be refused before WeCom sees a partial upload. Holding the chunks
 * in memory (≤ 20 MiB per call in flight) is cheaper than spooling to disk and leaves no temp files; the
 * per-corp queue bounds how many such calls run at once.
 */
export function readRequestBody(req: IncomingMessage, maxBytes = GATEWAY_MAX_BODY_BYTES): Promise<Buffer[]> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(gatewayError('ERR_GATEWAY_BODY_TOO_LARGE', `the body (${declared} bytes) exceeds ${maxBytes} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.resume();
        reject(gatewayError('ERR_GATEWAY_BODY_TOO_LARGE', `the body exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks));
    req.once('error', () => reject(gatewayError('ERR_GATEWAY_BAD_REQUEST', 'the request body could not be read (aborted)')));
  });
}
