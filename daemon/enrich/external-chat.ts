import type { EventEnvelope } from '../../src/events/envelope.js';
import { namespaces } from '../../src/store/namespaces.js';
import type { GroupChat } from '../../src/wecom-api/corp-api-types.js';
import type { EnrichOutcome } from '../consumer/process-callback.js';
import { corpCall, type EnrichDeps } from './corp-call.js';
import { classifyFailure, doneOutcome, failureOutcome, invalidEvent } from './failure-outcome.js';
import { rawField } from './raw-field.js';

const API = 'externalcontact/groupchat/get';

/** The store namespace of each chat's last `CurMemVer`; keys are `${corpId}:${chatId}`. */
export const CHAT_MEM_VER_NS = namespaces.chatMemberVersion;

/**
 * How long a chat's kept member version lives without a member change. A chat quiet for longer gets
 * `unknown` on its next change instead of a comparison. @default 90 days
 */
export const CHAT_MEM_VER_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * The member-version check of a `change_external_chat` event (seed suite-config-and-events.md, "群成员版本号的
 * 使用技巧"): the relay keeps the last `CurMemVer` of each chat and compares the next member change's
 * `LastMemVer` with it.
 *
 * - `ok` — they match: no member change was missed, `MemChangeList` can be applied as is.
 * - `gap` — they differ: a change was missed (lost or out of order). Do not apply `MemChangeList`; take
 *   the member list from `groupChat.member_list`, fetched just now.
 * - `unknown` — no version is kept for the chat yet (first change seen, or kept longer than
 *   {@link CHAT_MEM_VER_TTL_MS} ago).
 * - `null` — the event carries no member versions (create, dismiss, name / owner / notice changes).
 */
export type MemberVersionCheck = 'ok' | 'gap' | 'unknown' | null;

/** `enrichment` of an `external_chat.*` event; `groupChat` is null on dismiss (the chat is gone). */
export interface ExternalChatEnrichment {
  readonly groupChat: GroupChat | null;
  readonly memberVersion: MemberVersionCheck;
}

/**
 * Enriches an `external_chat.*` event with `externalcontact/groupchat/get` (`need_name: 1`, doc 92122) and
 * the member-version check. `dismissed` calls nothing (the chat is gone) and forgets the chat's version.
 * The event's `CurMemVer` is kept once the outcome is final (not on a retry), so a retried event compares
 * against the same kept version. A permission error (60011 / 48002) still records the version and forwards
 * `groupChat: null` with the check.
 */
export async function enrichExternalChat(event: EventEnvelope, corpId: string, signal: AbortSignal, deps: EnrichDeps): Promise<EnrichOutcome> {
  const chatId = rawField(event, 'ChatId');
  if (chatId === null) return invalidEvent('ChatId', API);
  const key = `${corpId}:${chatId}`;

  if (event.type === 'external_chat.dismissed') {
    await deps.store.deleteKv(CHAT_MEM_VER_NS, key);
    const dismissed: ExternalChatEnrichment = { groupChat: null, memberVersion: null };
    return doneOutcome({ ...dismissed });
  }

  const lastMemVer = rawField(event, 'LastMemVer');
  const curMemVer = rawField(event, 'CurMemVer');
  let memberVersion: MemberVersionCheck = null;
  if (lastMemVer !== null) {
    const kept = (await deps.store.getKv(CHAT_MEM_VER_NS, key, deps.now()))?.value;
    memberVersion = kept === undefined ? 'unknown' : kept === lastMemVer ? 'ok' : 'gap';
    if (memberVersion === 'gap') {
      deps.logger.info({ eventId: event.id, corpId, chatId }, 'chat member version gap: a member change was missed; member list taken from groupchat/get');
    }
  }

  let outcome: EnrichOutcome;
  try {
    const answer = await corpCall(deps, corpId, API, signal, (token, options) => deps.api.getGroupChat(token, chatId, 1, options));
    const enrichment: ExternalChatEnrichment = { groupChat: answer.group_chat ?? null, memberVersion };
    outcome = doneOutcome({ ...enrichment });
  } catch (error) {
    const partial: ExternalChatEnrichment = { groupChat: null, memberVersion };
    outcome = failureOutcome(classifyFailure(error, API, signal), { ...partial });
  }
  if (outcome.kind === 'done' && curMemVer !== null) {
    await deps.store.putKv(CHAT_MEM_VER_NS, key, curMemVer, { ttlMs: CHAT_MEM_VER_TTL_MS, now: deps.now() });
  }
  return outcome;
}
