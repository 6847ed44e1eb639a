import { corpIdOf } from '../events/corp-id-of.js';
import { eventId } from '../events/event-id.js';
import { eventTypeOf } from '../events/event-type-of.js';
import type { NewCallback } from '../store/store.js';

/**
 * One verified, decrypted callback, before it is stored: the store row without what {@link toNewCallback}
 * works out (id, type, corp). `suiteId` is the suite the callback names when the receiver serves it (else
 * its first); `receiveId` the authenticated one from inside the ciphertext (the suite id for website installs).
 */
export type VerifiedCallback = Omit<NewCallback, 'id' | 'type' | 'corpId'>;

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
