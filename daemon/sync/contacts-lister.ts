import { nextCursor, positionText, refillAux, type ListerContext, type ListPosition, type ListedPage } from './scope-lister.js';

/**
 * `contacts`: `department/simplelist` (the visible tree; every department for the contact-edit
 * authorization), then the members — `user/list_id` with its cursor for the contact-edit authorization
 * (the only app allowed to call it), else `user/simplelist` per department (no paging; a member in two
 * departments is listed twice, the set keeps one). Ids: `d:<id>`, `u:<userid>`.
 */
export async function* listContacts(context: ListerContext, from: ListPosition): AsyncGenerator<ListedPage> {
  const { api, withToken, corpId, signal } = context;
  const options = { corpId, signal };
  if (from['phase'] !== 'members') {
    const answer = await withToken((token) => api.departmentSimpleList(token, options));
    const departments = (answer.department_id ?? []).map((d) => String(d.id));
    if (context.kind !== 'contact_edit') await refillAux(context, departments);
    yield { ids: departments.map((id) => `d:${id}`), position: { phase: 'members', after: null, cursor: null }, calls: 1 };
  }
  if (context.kind === 'contact_edit') {
    const seen = new Set<string>();
    let cursor = from['phase'] === 'members' ? positionText(from, 'cursor') : null;
    const limit = context.listIdPageSize ?? 10_000;
    for (;;) {
      const page = await withToken((token) => api.userListId(token, cursor, limit, options));
      const rows = page.dept_user ?? [];
      const ids = [...new Set(rows.map((row) => row.open_userid ?? row.userid ?? '').filter((id) => id !== ''))].map((id) => `u:${id}`);
      cursor = nextCursor('user/list_id', rows.length, page.next_cursor, seen);
      yield { ids, position: { phase: 'members', cursor }, calls: 1 };
      if (cursor === null) return;
    }
  }
  let after = from['phase'] === 'members' ? positionText(from, 'after') : null;
  for (;;) {
    const batch = await context.store.scanIds(context.auxSet, after, 100);
    if (batch.length === 0) return;
    for (const department of batch) {
      const answer = await withToken((token) => api.userSimpleList(token, Number(department), options));
      after = department;
      yield { ids: (answer.userlist ?? []).map((user) => `u:${user.userid}`), position: { phase: 'members', after }, calls: 1 };
    }
  }
}
