import t from 'tap';
import { OPEN_USERID_NS } from '../../daemon/enrich/open-user-id-cache.js';
import type { MockUserSeed } from '../../daemon/mock-api/mock-types.js';
import { commandEvent, CORP_ID, DEFAULT_CORP_IDS, enrichHarness, liveSignal } from './enrich-harness.js';

interface UserEnrichment {
  user: { userid: string; name?: string; open_userid?: string } | null;
  openUserId: string | null;
  limited?: boolean;
}

const userEvent = (changeType: string, userId: string, corpId: string = CORP_ID, extra: Record<string, string> = {}) =>
  commandEvent('change_contact', changeType, { UserID: userId, ...extra }, corpId);

t.test('a created member gets user/get and its open_userid; a withheld name is flagged limited', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(userEvent('create_user', 'zhangsan'), liveSignal());
  t.equal(outcome.kind, 'done', 'done');
  if (outcome.kind !== 'done') return;
  t.equal(outcome.error, null, 'no error: missing fields and name-as-id are normal for a third-party app');
  const enrichment = outcome.enrichment as unknown as UserEnrichment;
  t.equal(enrichment.user?.userid, 'zhangsan', 'the member');
  t.notOk('errcode' in (enrichment.user ?? {}), 'without the errcode/errmsg envelope');
  t.equal(enrichment.limited, true, 'limited: the name came back as the userid');
  t.match(enrichment.openUserId, /^wo/, 'the open_userid from batch/userid_to_openuserid');
  t.equal(enrichment.openUserId, enrichment.user?.open_userid, 'the same id user/get reports');
  t.same(h.callsTo('batch/userid_to_openuserid')[0]?.body, { userid_list: ['zhangsan'] }, 'the plaintext id was converted');
});

t.test('a renamed member is read by its NewUserID', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(userEvent('update_user', 'zhangsan-old', CORP_ID, { NewUserID: 'zhangsan' }), liveSignal());
  t.match(outcome, { kind: 'done', enrichment: { user: { userid: 'zhangsan' } } }, 'user/get asked for the new id');
  t.equal(h.callsTo('user/get')[0]?.query['userid'], 'zhangsan', 'NewUserID was used');
  t.same(h.callsTo('batch/userid_to_openuserid')[0]?.body, { userid_list: ['zhangsan'] }, 'and converted: the old id no longer exists (it would count as a bad id)');
});

t.test('60011 on user/get forwards what did succeed with a wecom_api error', async (t) => {
  const h = await enrichHarness(t);
  h.mock.inject({ path: 'user/get', errcode: 60011 });
  const outcome = await h.enrich(userEvent('update_user', 'lisi'), liveSignal());
  t.equal(outcome.kind, 'done', 'a visibility error is done, never retried');
  if (outcome.kind !== 'done') return;
  t.match(outcome.error, { code: 'wecom_api', errcode: 60011, api: 'user/get' }, 'the error names the errcode and the API');
  const enrichment = outcome.enrichment as unknown as UserEnrichment;
  t.equal(enrichment.user, null, 'no member details');
  t.match(enrichment.openUserId, /^wo/, 'the open_userid, which did succeed, is kept');
});

t.test('a member outside the visible range: 60011 and an invalid id, forwarded', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(userEvent('update_user', DEFAULT_CORP_IDS.invisibleUserid), liveSignal());
  t.match(outcome, { kind: 'done', enrichment: null, error: { code: 'wecom_api', errcode: 60011 } }, 'nothing gathered, the error forwarded');
  t.same((await h.store.getKv(OPEN_USERID_NS, `${CORP_ID}:${DEFAULT_CORP_IDS.invisibleUserid}`))?.value, { invalid: true }, 'the invalid id is cached negatively');
});

t.test('a deleted member calls nothing and uses only a cached open_userid', async (t) => {
  const h = await enrichHarness(t);
  t.same(await h.enrich(userEvent('delete_user', 'lisi'), liveSignal()), { kind: 'done', enrichment: null, error: null }, 'unknown member: nothing');
  t.equal(h.mock.calls.length, 0, 'no call for a deleted member (a bad id would spend the daily budget)');
  await h.enrich(userEvent('update_user', 'lisi'), liveSignal());
  h.mock.clearCalls();
  const outcome = await h.enrich(userEvent('delete_user', 'lisi'), liveSignal());
  t.match(outcome, { kind: 'done', error: null, enrichment: { user: null, openUserId: /^wo/ } }, 'the cached open_userid');
  t.equal(h.mock.calls.length, 0, 'still no call');
});

t.test('30 concurrent member events share one conversion call; invalid ids are never sent twice', async (t) => {
  const h = await enrichHarness(t);
  const users: MockUserSeed[] = Array.from({ length: 30 }, (_, i) => ({ userid: `member${i}`, name: `成员${i}`, department: [1] }));
  const corpId = await h.authorize({ corpId: 'wwbatchcorp0000000001', corpName: '批量企业', users });
  h.mock.clearCalls();

  const outcomes = await Promise.all(users.map((u) => h.enrich(userEvent('create_user', u.userid, corpId), liveSignal())));

  t.ok(outcomes.every((o) => o.kind === 'done' && o.error === null), 'all 30 enriched without error');
  t.ok(outcomes.every((o) => o.kind === 'done' && /^wo/.test(String((o.enrichment as unknown as UserEnrichment).openUserId))), 'each has its open_userid');
  const batches = h.callsTo('batch/userid_to_openuserid');
  t.equal(batches.length, 1, 'a single batch/userid_to_openuserid call');
  t.same(new Set((batches[0]?.body as { userid_list: string[] }).userid_list), new Set(users.map((u) => u.userid)), 'carrying all 30 ids');
  t.equal(h.callsTo('user/get').length, 30, 'and one user/get per event');

  h.mock.clearCalls();
  await h.enrich(userEvent('update_user', 'member7', corpId), liveSignal());
  t.equal(h.callsTo('batch/userid_to_openuserid').length, 0, 'a known id is answered from the cache');

  const ghost = await h.enrich(userEvent('create_user', 'ghost', corpId), liveSignal());
  t.match(ghost, { kind: 'done', error: { errcode: 60111, api: 'user/get' } }, 'an unknown member: user/get error forwarded');
  t.same(h.callsTo('batch/userid_to_openuserid').map((c) => c.body), [{ userid_list: ['ghost'] }], 'the unknown id was sent once');
  t.same((await h.store.getKv(OPEN_USERID_NS, `${corpId}:ghost`))?.value, { invalid: true }, 'and cached as invalid');

  h.mock.clearCalls();
  await h.enrich(userEvent('update_user', 'ghost', corpId), liveSignal());
  await h.newEnricher()(userEvent('update_user', 'ghost', corpId), liveSignal());
  t.equal(h.callsTo('batch/userid_to_openuserid').length, 0, 'never sent again, not even by a new enricher (the store remembers)');
});

t.test('a department is enriched; a withheld name is flagged limited', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(commandEvent('change_contact', 'create_party', { Id: '2', ParentId: '1' }), liveSignal());
  t.match(outcome, { kind: 'done', error: null, enrichment: { department: { id: 2, parentid: 1 }, limited: true } }, 'the department, name withheld');
  t.equal(h.callsTo('department/get')[0]?.query['id'], '2', 'the id is sent as the callback had it');
  const hidden = await h.enrich(commandEvent('change_contact', 'update_party', { Id: String(DEFAULT_CORP_IDS.invisibleDepartmentId) }), liveSignal());
  t.match(hidden, { kind: 'done', enrichment: null, error: { code: 'wecom_api', errcode: 60011, api: 'department/get' } }, '60011 forwarded');
  h.mock.clearCalls();
  t.same(await h.enrich(commandEvent('change_contact', 'delete_party', { Id: '3' }), liveSignal()), { kind: 'done', enrichment: null, error: null }, 'a deleted department: nothing');
  t.equal(h.mock.calls.length, 0, 'and no call');
});

t.test('types without enrichment call nothing', async (t) => {
  const h = await enrichHarness(t);
  const events = [
    commandEvent('change_contact', 'update_tag', { TagId: '1', AddUserItems: 'zhangsan' }),
    commandEvent('change_auth', ''),
    commandEvent('some_future_infotype', 'whatever', { UserID: 'zhangsan', ExternalUserID: DEFAULT_CORP_IDS.externalUserid }),
  ];
  for (const event of events) {
    t.same(await h.enrich(event, liveSignal()), { kind: 'done', enrichment: null, error: null }, `${event.type}: nothing`);
  }
  t.equal(h.mock.calls.length, 0, 'no API call at all');
});

t.test('a corp that is not authorized, or gone, is forwarded as not_authorized', async (t) => {
  const h = await enrichHarness(t);
  const stranger = await h.enrich(userEvent('create_user', 'zhangsan', 'wwneverauthorized0001'), liveSignal());
  t.match(stranger, { kind: 'done', enrichment: null, error: { code: 'not_authorized' } }, 'never authorized');
  h.mock.revokeCorp(CORP_ID);
  await h.tokens.invalidateCorpToken(CORP_ID, await h.tokens.getCorpToken(CORP_ID));
  const gone = await h.enrich(commandEvent('change_external_contact', 'edit_external_contact', { UserID: 'zhangsan', ExternalUserID: DEFAULT_CORP_IDS.externalUserid }), liveSignal());
  t.match(gone, { kind: 'done', enrichment: null, error: { code: 'not_authorized', errcode: 40084 } }, 'revoked: 40084 on the token fetch');
  t.equal((await h.tokens.getCorp(CORP_ID))?.state, 'gone', 'the token provider marked the corp gone');
});

t.test('an aborted signal stops before any call', async (t) => {
  const h = await enrichHarness(t);
  const controller = new AbortController();
  controller.abort();
  const outcome = await h.enrich(commandEvent('change_external_chat', 'create', { ChatId: DEFAULT_CORP_IDS.chatId }), controller.signal);
  t.match(outcome, { kind: 'retry', error: { code: 'timeout' } }, 'retry (the caller has given up)');
  t.equal(h.mock.calls.length, 0, 'no API call');
});

t.test('a callback without the id an API needs is forwarded as invalid_event', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(commandEvent('change_external_contact', 'add_external_contact', { UserID: 'zhangsan' }), liveSignal());
  t.match(outcome, { kind: 'done', enrichment: null, error: { code: 'invalid_event', api: 'externalcontact/get' } }, 'invalid_event');
  t.equal(h.mock.calls.length, 0, 'no API call');
});
