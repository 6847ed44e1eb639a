import { corpIdOf } from '../events/corp-id-of.js';
import type { Endpoint } from '../events/envelope.js';
import { eventId } from '../events/event-id.js';
import { eventTypeOf } from '../events/event-type-of.js';
import type { NewCallback } from '../store/store.js';
import type { CallbackFields } from '../xml/fields.js';

/** One verified, decrypted callback, before it is stored. */
export interface VerifiedCallback {
  readonly endpoint: Endpoint;
  /** The suite the callback is for (the one it names, when the receiver serves it; else the first). */
  readonly suiteId: string;
  /** The authenticated receiveid from inside the ciphertext (the suite id for website installs). */
  readonly receiveId: string;
  /** Epoch ms. */
  readonly receivedAt: number;
  /** The decrypted message, byte for byte. */
  readonly plaintext: string;
  readonly fields: CallbackFields;
}

/**
 * The one way a callback becomes a store row, for pushed callbacks and website installs alike: the
 * stable id ({@link eventId}), and the type ({@link eventTypeOf}) and corp ({@link corpIdOf}) used for
 * listing. Pure and cheap: the receiver does not normalize (the daemon does, and its completion
 * overwrites the stored type with the normalized one).
 */
export function toNewCallback(callback: VerifiedCallback): NewCallback {
  const { endpoint, suiteId, receiveId, receivedAt, plaintext, fields } = callback;
  return {
    id: eventId(suiteId, receiveId, plaintext),
    endpoint, suiteId, receiveId, receivedAt, plaintext, fields,
    type: eventTypeOf(fields),
    corpId: corpIdOf(fields),
  };
}
