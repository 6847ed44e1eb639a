import { setTimeout as sleep } from 'node:timers/promises';
import { fieldText } from '../events/field-text.js';
import type { WecomEvent } from '../events/types.js';
import type { Logger } from '../logger.js';
import { namespaces, type StoredReply } from '../store/namespaces.js';
import type { Store } from '../store/store.js';
import { buildReplyXml, type PassiveReply } from '../xml/build-reply-xml.js';
import type { CallbackFields } from '../xml/fields.js';
import { checkReply, type ReplyHook } from './passive-reply.js';
import { sealReply } from './seal-reply.js';

/** Store namespace of the passive replies sent (key: the callback's event id; value: {@link StoredReply}). */
export const REPLY_NAMESPACE = namespaces.reply;
export type { StoredReply } from '../store/namespaces.js';

/** How long a sent reply is kept for WeCom's retries (and `events show`): WeCom retries within seconds. */
export const REPLY_TTL_MS = 7 * 86_400_000;

/** What {@link createReplier} needs. */
export interface ReplierOptions {
  readonly hook: ReplyHook;
  readonly timeoutMs: number;
  /** Resolves after `ms` unless `signal` aborts; null = node:timers/promises. */
  readonly timer: ((ms: number, signal: AbortSignal) => Promise<void>) | null;
  /** The parsed EncodingAESKey and the Token, to encrypt and sign. */
  readonly key: Buffer;
  readonly token: string;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Answers a stored data-URL callback with a passive reply, or not (`null`: answer `success`). */
export interface Replier {
  /** Calls the hook (bounded by the timeout), validates, stores and seals its reply; never rejects. */
  answer(store: Store, event: WecomEvent, fields: CallbackFields, receiveId: string): Promise<string | null>;
  /** The reply stored for a callback answered before, sealed again; null when there is none. */
  stored(store: Store, eventId: string, receiveId: string): Promise<string | null>;
}

const LATE: unique symbol = Symbol('late');
const defaultTimer = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal });

/**
 * The passive-reply step of the receiver (SPEC §14), run only after the durable write. The hook races
 * `timeoutMs` on the injected timer; late, throwing, empty (`undefined`/`null`) or invalid
 * ({@link checkReply}) → `null` (the caller answers `success`) and, except for empty, one log line. A valid
 * reply is stored under {@link REPLY_NAMESPACE} for seven days, then encrypted for the receiveid the request
 * was decrypted with and signed.
 */
export function createReplier(options: ReplierOptions): Replier {
  const { hook, timeoutMs, logger, now } = options;
  const timer = options.timer ?? defaultTimer;
  const seal = (xml: string, receiveId: string): string =>
    sealReply(xml, { key: options.key, token: options.token, receiveId, timestamp: String(Math.floor(now() / 1000)) });

  return {
    async answer(store, event, fields, receiveId) {
      const controller = new AbortController();
      let answer: unknown;
      try {
        const late = timer(timeoutMs, controller.signal).then((): typeof LATE => LATE, (): typeof LATE => LATE);
        const called = Promise.resolve()
          .then(() => hook(event))
          .then((value) => ({ value }), (err: unknown) => ({ err }));
        const outcome = await Promise.race([called, late]);
        if (outcome === LATE) {
          logger.warn({ eventId: event.id, type: event.type, replyTimeoutMs: timeoutMs }, 'reply hook did not answer within replyTimeoutMs; answered success');
          return null;
        }
        if ('err' in outcome) {
          logger.error({ eventId: event.id, type: event.type, err: outcome.err }, 'reply hook threw; answered success');
          return null;
        }
        answer = outcome.value;
      } finally {
        controller.abort();
      }
      const checked = checkReply(answer, event.type);
      if (checked.kind === 'none') return null;
      if (checked.kind === 'invalid') {
        logger.warn({ eventId: event.id, type: event.type, problem: checked.problem }, 'reply hook returned an invalid reply; answered success');
        return null;
      }
      const repliedAt = now();
      const xml = buildReplyXml(checked.reply, {
        toUserName: fieldText(fields, 'FromUserName'),
        fromUserName: fieldText(fields, 'ToUserName'),
        createTime: Math.floor(repliedAt / 1000),
      });
      const record: StoredReply = { reply: checked.reply, xml, repliedAt };
      try {
        await store.putKv(REPLY_NAMESPACE, event.id, record, { ttlMs: REPLY_TTL_MS, now: repliedAt });
      } catch (err) {
        // The reply still goes out; only a WeCom retry of this callback would then get `success`.
        logger.warn({ eventId: event.id, err }, 'passive reply not stored; a retry of this callback will get success');
      }
      return seal(xml, receiveId);
    },
    async stored(store, eventId, receiveId) {
      const found = await store.getKv(REPLY_NAMESPACE, eventId, now());
      return found ? seal(found.value.xml, receiveId) : null;
    },
  };
}
