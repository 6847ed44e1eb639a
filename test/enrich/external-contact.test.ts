import t from 'tap';
import { commandEvent, DEFAULT_CORP_IDS, enrichHarness, liveSignal } from './enrich-harness.js';

const CONTACT = DEFAULT_CORP_IDS.externalUserid;

t.test('an added external contact is enriched with every follow_user page', async (t) => {
  const h = await enrichHarness(t, { followUserPageSize: 1 });
  const event = commandEvent('change_external_contact', 'add_external_contact', { UserID: 'zhangsan', ExternalUserID: CONTACT, State: 'teststate' });
  t.equal(event.type, 'external_contact.added', 'the callback normalizes to external_contact.added');

  const outcome = await h.enrich(event, liveSignal());

  t.equal(outcome.kind, 'done', 'done');
  if (outcome.kind !== 'done') return;
  t.equal(outcome.error, null, 'no enrichment error');
  const enrichment = outcome.enrichment as { externalContact: { external_userid: string }; followUser: Array<{ userid: string }> };
  t.equal(enrichment.externalContact.external_userid, CONTACT, 'the contact is the one in the callback');
  t.same(enrichment.followUser.map((f) => f.userid), ['zhangsan', 'lisi', 'Jack'], 'all three follow users, one per page, in order');
  t.notOk('next_cursor' in enrichment, 'no cursor leaks into the enrichment');
  const pages = h.callsTo('externalcontact/get');
  t.equal(pages.length, 3, 'three pages were fetched');
  t.equal(pages[0]?.query['cursor'], undefined, 'the first page is asked without a cursor');
  t.ok(pages[1]?.query['cursor'] && pages[2]?.query['cursor'], 'the later pages pass next_cursor');
  t.same(h.reports, [['externalcontact/get', 0], ['externalcontact/get', 0], ['externalcontact/get', 0]], 'one metrics report per page');
});

t.test('84061 after a deletion is forwarded as relation gone, not a failure', async (t) => {
  const h = await enrichHarness(t);
  const event = commandEvent('change_external_contact', 'del_external_contact', { UserID: 'zhangsan', ExternalUserID: 'wmNoLongerAContactAAAAAAAAAAAAAA', Source: 'DELETE_BY_TRANSFER' });

  const outcome = await h.enrich(event, liveSignal());

  t.equal(outcome.kind, 'done', 'a gone relation is done, never retried');
  if (outcome.kind !== 'done') return;
  t.same(outcome.enrichment, { externalContact: null, followUser: [], relation: 'gone' }, 'the enrichment says the relation is gone');
  t.match(outcome.error, { code: 'relation_gone', errcode: 84061, api: 'externalcontact/get' }, 'relation_gone with the errcode and the API');
  t.equal(h.callsTo('externalcontact/get').length, 1, 'the deletion event still tried the API once');
});

t.test('a deletion is still enriched while the contact remains visible', async (t) => {
  const h = await enrichHarness(t);
  const event = commandEvent('change_external_contact', 'del_follow_user', { UserID: 'lisi', ExternalUserID: CONTACT });
  const outcome = await h.enrich(event, liveSignal());
  t.match(outcome, { kind: 'done', error: null, enrichment: { externalContact: { external_userid: CONTACT } } }, 'enriched as any other event');
});

t.test('-1 that outlasts the client retries asks for a retry', async (t) => {
  const h = await enrichHarness(t);
  h.mock.inject({ path: 'externalcontact/get', errcode: -1, times: 4 });
  const outcome = await h.enrich(commandEvent('change_external_contact', 'edit_external_contact', { UserID: 'zhangsan', ExternalUserID: CONTACT }), liveSignal());
  t.match(outcome, { kind: 'retry', error: { code: 'wecom_api', errcode: -1, api: 'externalcontact/get' } }, 'retry with the errcode');
  t.equal(h.callsTo('externalcontact/get').length, 4, 'the client retried in place three times before giving up');
});

t.test('45009 and a gateway error ask for a retry', async (t) => {
  const h = await enrichHarness(t);
  h.mock.inject({ path: 'externalcontact/get', errcode: 45009 });
  const event = commandEvent('change_external_contact', 'edit_external_contact', { UserID: 'zhangsan', ExternalUserID: CONTACT });
  t.match(await h.enrich(event, liveSignal()), { kind: 'retry', error: { errcode: 45009 } }, '45009 (frequency ban) → retry later, not in place');
  h.mock.inject({ path: 'externalcontact/get', httpStatus: 502, times: 4 });
  t.match(await h.enrich(event, liveSignal()), { kind: 'retry', error: { code: 'network', api: 'externalcontact/get' } }, 'HTTP 502 → retry as network');
  t.match(h.reports.at(-1), ['externalcontact/get', -2], 'an unanswered call is reported with errcode -2');
});

t.test('a corp token expiring between two pages is refreshed transparently', async (t) => {
  const h = await enrichHarness(t, { followUserPageSize: 2 });
  const errcodes: number[] = [];
  // The metrics hook runs right after page 1 answered: expire the corp's tokens there, mid-run.
  const enrich = h.newEnricher({
    onApiCall: (_api, errcode) => {
      errcodes.push(errcode);
      if (errcodes.length === 1) h.mock.expireToken('corp', DEFAULT_CORP_IDS.corpId);
    },
  });
  const event = commandEvent('change_external_contact', 'edit_external_contact', { UserID: 'zhangsan', ExternalUserID: CONTACT });

  const outcome = await enrich(event, liveSignal());

  t.match(outcome, { kind: 'done', error: null }, 'the enrichment succeeds');
  if (outcome.kind === 'done') t.equal((outcome.enrichment as { followUser: unknown[] }).followUser.length, 3, 'with every follow user');
  t.equal(h.callsTo('service/get_corp_token').length, 1, 'exactly one extra corp token fetch');
  t.same(h.callsTo('externalcontact/get').map((c) => c.errcode), [0, 42001, 0], 'page 2 failed with 42001 once, then succeeded');
  t.same(errcodes, [0, 42001, 0], 'the metrics saw the 42001 and the retried page');
});

t.test('tokens never appear in an outcome', async (t) => {
  const h = await enrichHarness(t);
  const token = await h.tokens.getCorpToken(DEFAULT_CORP_IDS.corpId);
  h.mock.inject({ path: 'externalcontact/get', errcode: 60020 });
  const outcome = await h.enrich(commandEvent('change_external_contact', 'edit_external_contact', { UserID: 'zhangsan', ExternalUserID: CONTACT }), liveSignal());
  t.match(outcome, { kind: 'done', enrichment: null, error: { code: 'wecom_api', errcode: 60020 } }, '60020 (IP not allowed) is forwarded, not retried');
  t.notMatch(JSON.stringify(outcome), token, 'the corp token is nowhere in the outcome');
  t.notMatch(JSON.stringify(outcome), 'access_token=', 'no query string in the outcome');
});
