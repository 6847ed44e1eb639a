/**
 * Credentials and callbacks for the benchmarks, built with the library's own sealing and sample helpers
 * (dist/), so the receiver sees exactly what WeCom would send.
 */
import { randomBytes } from 'node:crypto';
import { sealCallback } from '../../dist/src/crypto/seal-callback.js';
import { eventId } from '../../dist/src/events/event-id.js';
import { normalize } from '../../dist/src/events/normalize.js';
import { sampleCallback } from '../../dist/src/events/samples.js';

export const SUITE_ID = 'wwbenchsuite000001';
export const CORP_ID = 'wwbenchcorp0000001';
export const COMMAND_PATH = '/api/v1/wecom/command';
export const DATA_PATH = '/api/v1/wecom/callback';

/** A fresh callback Token and EncodingAESKey (43 base64 characters = 32 bytes). */
export function generateCredentials() {
  return {
    token: randomBytes(12).toString('hex'),
    encodingAESKey: randomBytes(32).toString('base64').slice(0, 43),
  };
}

/**
 * The `add_external_contact` sample number `seq`: distinct plaintext per `seq` (the event time moves back
 * `seq` seconds).
 */
export function sample(seq, now) {
  return sampleCallback('add_external_contact', { suiteId: SUITE_ID, corpId: CORP_ID, now, seq });
}

/**
 * `count` distinct, encrypted and signed POST callbacks, numbered from `from`, ready for the load generator.
 * Pass the SAME `now` to every call of one run: the sample's event time is `now - seq` seconds, so batches
 * built a second apart with different `now`s would repeat plaintexts (and the receiver rightly stores a
 * repeat once). `seen` collects the plaintexts across calls and throws on a repeat.
 * @param {{ token: string, encodingAESKey: string }} credentials
 * @param {number} from
 * @param {number} count
 * @param {Date} now
 * @param {Set<string>} [seen]
 * @returns {Array<{ path: string, body: string }>}
 */
export function sealedRequests(credentials, from, count, now, seen = new Set()) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const s = sample(from + i, now);
    if (seen.has(s.plaintext)) throw new Error(`sample ${from + i} repeats an earlier plaintext`);
    seen.add(s.plaintext);
    const sealed = sealCallback({ ...credentials, receiveId: SUITE_ID, plaintext: s.plaintext });
    const path = s.endpoint === 'command' ? COMMAND_PATH : DATA_PATH;
    out[i] = { path: `${path}?${new URLSearchParams(sealed.query)}`, body: sealed.body };
  }
  return out;
}

/**
 * What the receiver would store for sample `seq` and the normalized event the daemon would complete it
 * with: the inputs of `putCallback` and `completeCallback`.
 */
export function storedCallback(seq, receivedAt, now = new Date(receivedAt)) {
  const s = sample(seq, now);
  const id = eventId(SUITE_ID, SUITE_ID, s.plaintext);
  const event = normalize({ id, endpoint: s.endpoint, suiteId: SUITE_ID, receiveId: SUITE_ID, receivedAt, fields: s.fields });
  const callback = {
    id, endpoint: s.endpoint, suiteId: SUITE_ID, receiveId: SUITE_ID, receivedAt, plaintext: s.plaintext, fields: s.fields,
    type: event.type, corpId: event.source.corpId,
  };
  return { callback, event };
}
