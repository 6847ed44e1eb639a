import { randomInt } from 'node:crypto';
import { encryptMessage } from '../crypto/cipher.js';
import { computeSignature } from '../crypto/signature.js';
import { buildXml } from '../xml/build-xml.js';

/** What {@link sealReply} needs besides the reply. */
export interface SealReplyOptions {
  /** The parsed EncodingAESKey. */
  readonly key: Buffer;
  readonly token: string;
  /**
   * The receiveid sealed inside the ciphertext. The receiver mirrors the one it decrypted from the request it
   * answers: the official libraries encrypt with the receiveid their WXBizMsgCrypt decrypted with
   * (`reference/wecom-apis-more.md` §5.2).
   */
  readonly receiveId: string;
  /** Unix seconds, as a string. */
  readonly timestamp: string;
  /** @default a random 9- or 10-digit string */
  readonly nonce?: string;
}

/**
 * The body of a passive reply: `replyXml` encrypted (WXBizMsgCrypt, 32-byte PKCS#7) and signed, in WeCom's
 * envelope `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` (the official `xmlparse generate()`).
 */
export function sealReply(replyXml: string, options: SealReplyOptions): string {
  const nonce = options.nonce ?? String(randomInt(100_000_000, 2_147_483_647));
  const encrypt = encryptMessage(options.key, replyXml, options.receiveId);
  const signature = computeSignature(options.token, options.timestamp, nonce, encrypt);
  // Nonce is CDATA in the official generator even when numeric; buildXml writes digits bare, which parses the same.
  return buildXml({ Encrypt: encrypt, MsgSignature: signature, TimeStamp: options.timestamp, Nonce: nonce });
}
