import { eventTypeOf } from '../../src/events/event-type-of.js';
import type { NewCallback } from '../../src/store/store.js';
import type { CallbackFields } from '../../src/xml/fields.js';
import { buildXml } from '../../src/xml/build-xml.js';

/**
 * A synthetic callback for the inbox (endpoint `sync`): WeCom-shaped fields (SuiteId, AuthCorpId,
 * TimeStamp, then the change's own), under a stable id (`syncEventId`), so the consumer normalizes,
 * enriches, routes and delivers it like any pushed callback — and a second put of the same id is a no-op.
 */
export function syncCallback(input: { readonly id: string; readonly appId: string; readonly corpId: string; readonly now: number; readonly fields: CallbackFields }): NewCallback {
  const fields: CallbackFields = { SuiteId: input.appId, AuthCorpId: input.corpId, TimeStamp: String(Math.floor(input.now / 1000)), ...input.fields };
  return {
    id: input.id,
    endpoint: 'sync',
    suiteId: input.appId,
    receiveId: input.corpId,
    receivedAt: input.now,
    plaintext: buildXml(fields),
    fields,
    type: eventTypeOf(fields),
    corpId: input.corpId,
  };
}
