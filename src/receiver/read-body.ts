import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { WecomRelayError } from '../errors.js';

/** A request as Express 4, Express 5 or plain node:http hands it over; `body` is set by any parser that ran. */
export type BodyCarrier = IncomingMessage & { body?: unknown };

function isEnvelopeObject(value: object): boolean {
  return ['encrypt', 'Encrypt', 'tousername', 'ToUserName'].some((key) => key in value);
}

/**
 * Reads a callback body as UTF-8 text, up to `limit` bytes, whether or not a global body parser ran first:
 * `express.text({type: '*\/*'})` leaves a string, `express.raw()` a Buffer, `express.json()` an object for
 * JSON-format callbacks (only `Encrypt` is signed, so re-serializing it is safe). A parser that skipped the
 * request (other content types) left the stream unread, and it is read here. Never hangs on a consumed
 * stream: that is reported as `ERR_WECOM_BODY_READ`.
 */
export async function readBody(req: BodyCarrier, limit: number): Promise<string> {
  const parsed = req.body;
  if (typeof parsed === 'string') return checked(Buffer.byteLength(parsed), limit, parsed);
  if (Buffer.isBuffer(parsed)) return checked(parsed.length, limit, parsed.toString('utf8'));
  if (parsed !== null && typeof parsed === 'object' && isEnvelopeObject(parsed)) {
    const text = JSON.stringify(parsed);
    return checked(Buffer.byteLength(text), limit, text);
  }
  if (req.readableEnded || (req as { _body?: boolean })._body === true) {
    throw new WecomRelayError('ERR_WECOM_BODY_READ', {
      message: 'the request body was consumed by a body parser mounted before wecomCallback; mount wecomCallback first',
    });
  }
  try {
    return await getRawBody(req, { limit, encoding: 'utf8' });
  } catch (error) {
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') throw new WecomRelayError('ERR_WECOM_BODY_TOO_LARGE', { cause: error });
    throw new WecomRelayError('ERR_WECOM_BODY_READ', { cause: error });
  }
}

function checked(size: number, limit: number, text: string): string {
  if (size > limit) throw new WecomRelayError('ERR_WECOM_BODY_TOO_LARGE');
  return text;
}
