import { WecomApiError } from '../../src/errors.js';
import { nextCursor, positionText, refillAux, type ListerContext, type ListPosition, type ListedPage } from './scope-lister.js';

/** `groupchat/list`: `limit` 1–1000, `owner_filter` ≤ 100 owners (doc 92120). */
const CHATS_PER_PAGE = 1000;
const OWNERS_PER_CALL = 100;
/** "请求个数超过限制": an unfiltered call with more than 1,000 members in the visible range. */
const TOO_MANY = 81017;

/**
 * `groupchats`: `groupchat/list` with its cursor — unfiltered first (one call for a small corp); on 81017
 * (more than 1,000 members in the app's range) sharded by `owner_filter`, 100 owners a call, owners being
 * the members configured for customer contact (`get_follow_user_list`: only they own customer groups).
 * Ids: the chat ids.
 */
export async function* listGroupChats(context: ListerContext, from: ListPosition): AsyncGenerator<ListedPage> {
  const { api, withToken, corpId, signal } = context;
  const options = { corpId, signal };
  if (from['phase'] !== 'owners') {
    let cursor = positionText(from, 'cursor');
    const seen = new Set<string>();
    for (;;) {
      let page;
      try {
        page = await withToken((token) => api.groupChatList(token, null, cursor, CHATS_PER_PAGE, options));
      } catch (error) {
        if (!(error instanceof WecomApiError && error.errcode === TOO_MANY && cursor === null)) throw error;
        const answer = await withToken((token) => api.followUserList(token, options));
        await refillAux(context, answer.follow_user ?? []);
        yield { ids: [], position: { phase: 'owners', after: null, cursor: null }, calls: 2 };
        break;
      }
      const rows = page.group_chat_list ?? [];
      cursor = nextCursor('externalcontact/groupchat/list', rows.length, page.next_cursor, seen);
      yield { ids: rows.map((row) => row.chat_id), position: { phase: 'all', cursor }, calls: 1 };
      if (cursor === null) return;
    }
  }
  let after = from['phase'] === 'owners' ? positionText(from, 'after') : null;
  let cursor = from['phase'] === 'owners' ? positionText(from, 'cursor') : null;
  for (;;) {
    const owners = await context.store.scanIds(context.auxSet, after, OWNERS_PER_CALL);
    if (owners.length === 0) return;
    const seen = new Set<string>();
    do {
      const page = await withToken((token) => api.groupChatList(token, owners, cursor, CHATS_PER_PAGE, options));
      const rows = page.group_chat_list ?? [];
      cursor = nextCursor('externalcontact/groupchat/list', rows.length, page.next_cursor, seen);
      yield { ids: rows.map((row) => row.chat_id), position: { phase: 'owners', after: cursor === null ? owners[owners.length - 1] : after, cursor }, calls: 1 };
    } while (cursor !== null);
    after = owners[owners.length - 1] as string;
  }
}
