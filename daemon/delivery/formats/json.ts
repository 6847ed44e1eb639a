import { Webhook } from 'standardwebhooks';
import type { Formatter } from './formatter.js';
import { requestHeaders } from './request-headers.js';

/**
 * The `json` format: the SPEC §7 envelope as a Standard Webhooks message. The body is
 * `JSON.stringify(event)` and those exact bytes are what is signed and sent (re-serializing a signed body
 * is the classic relay bug, smee #325). Headers: `webhook-id` (the event id, constant across retries, the
 * receiver's idempotency key), `webhook-timestamp` (unix seconds of this attempt), and, when the target
 * has a `secret`, `webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>` computed by the
 * `standardwebhooks` reference library, so any Standard Webhooks verifier accepts it.
 *
 * @throws TypeError when `target.secret` is not a Standard Webhooks secret (`whsec_` + base64).
 */
export const formatJson: Formatter = (event, target, context) => {
  const body = JSON.stringify(event);
  const id = context.messageId ?? event.id;
  const timestamp = String(Math.floor(context.now.getTime() / 1000));
  const protocol: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': timestamp };
  if (target.secret !== null && target.secret !== '') {
    protocol['webhook-signature'] = signer(target.name, target.secret).sign(id, context.now, body);
  }
  return { url: target.url, headers: requestHeaders(target, 'application/json', protocol), body };
};

function signer(targetName: string, secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch (error) {
    // Never echo the secret itself.
    throw new TypeError(
      `Expected \`targets.${targetName}.secret\` to be a Standard Webhooks secret (whsec_ + base64), got an unusable value`,
      { cause: error },
    );
  }
}
