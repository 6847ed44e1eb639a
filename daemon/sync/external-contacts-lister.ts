import { nextCursor, positionText, refillAux, type ListerContext, type ListPosition, type ListedPage } from './scope-lister.js';

/** `batch/get_by_user` takes ≤ 100 members a call and pages ≤ 100 rows (doc 93010). */
const USERS_PER_CALL = 100;
const ROWS_PER_PAGE = 100;

/**
 * `external_contacts`: `get_follow_user_list` (the members configured for customer contact), then
 * `batch/get_by_user` for 100 of them at a time, following `next_cursor`. Ids: `<follow userid>:<external_userid>`.
 * The member list is kept in the helper set, so a resumed run takes the same batches.
 */
export async function* listExternalContacts(context: ListerContext, from: ListPosition): AsyncGenerator<ListedPage> {
  const { api, withToken, corpId, signal } = context;
  const options = { corpId, signal };
  if (from['phase'] !== 'pairs') {
    const answer = await withToken((token) => api.followUserList(token, options));
    await refillAux(context, answer.follow_user ?? []);
    yield { ids: [], position: { phase: 'pairs', after: null, cursor: null }, calls: 1 };
  }
  let after = from['phase'] === 'pairs' ? positionText(from, 'after') : null;
  let cursor = from['phase'] === 'pairs' ? positionText(from, 'cursor') : null;
  for (;;) {
    const users = await context.store.scanIds(context.auxSet, after, USERS_PER_CALL);
    if (users.length === 0) return;
    const seen = new Set<string>();
    do {
      const page = await withToken((token) => api.batchGetByUser(token, users, cursor, ROWS_PER_PAGE, options));
      const rows = page.external_contact_list ?? [];
      const ids = rows.flatMap((row) => {
        const follower = row.follow_info?.userid;
        const customer = row.external_contact?.external_userid;
        return follower && customer ? [`${follower}:${customer}`] : [];
      });
      cursor = nextCursor('externalcontact/batch/get_by_user', rows.length, page.next_cursor, seen);
      const done = cursor === null;
      yield { ids, position: { phase: 'pairs', after: done ? users[users.length - 1] : after, cursor }, calls: 1 };
    } while (cursor !== null);
    after = users[users.length - 1] as string;
  }
}
