import t from 'tap';
import { createEnricher } from '../../daemon/enrich/create-enricher.js';
import { classifyFailure, failureOutcome, worstFailure } from '../../daemon/enrich/failure-outcome.js';
import { WecomApiError, WecomRelayError } from '../../src/errors.js';

const API = 'user/get';

t.test('each failure maps to retry or forward with a stable code', async (t) => {
  const table: Array<[name: string, error: unknown, retry: boolean, code: string]> = [
    ['-1 system busy', new WecomApiError(API, -1, 'system busy'), true, 'wecom_api'],
    ['45009 frequency ban', new WecomApiError(API, 45009, 'api freq out of limit'), true, 'wecom_api'],
    ['45033 concurrency', new WecomApiError(API, 45033, 'api concurrent out of limit'), true, 'wecom_api'],
    ['42001 after the refresh', new WecomApiError(API, 42001, 'access_token expired'), true, 'wecom_api'],
    ['40085 bad suite_ticket', new WecomApiError('service/get_suite_token', 40085, 'invalid suite_ticket'), true, 'wecom_api'],
    ['60011 visibility', new WecomApiError(API, 60011, 'no privilege'), false, 'wecom_api'],
    ['48002 api forbidden', new WecomApiError(API, 48002, 'api forbidden'), false, 'wecom_api'],
    ['60020 ip not allowed', new WecomApiError(API, 60020, 'not allow to access from your ip'), false, 'wecom_api'],
    ['an unknown errcode', new WecomApiError(API, 12345, 'something new'), false, 'wecom_api'],
    ['84061 no relation', new WecomApiError('externalcontact/get', 84061, 'not external contact'), false, 'relation_gone'],
    ['40084 permanent code gone', new WecomApiError('service/get_corp_token', 40084, 'invalid permanent_code'), false, 'not_authorized'],
    ['301007 corp unavailable', new WecomApiError(API, 301007, 'corp not available'), false, 'not_authorized'],
    ['no permanent code', new WecomRelayError('ERR_WECOM_CORP_NOT_AUTHORIZED'), false, 'not_authorized'],
    ['no suite_ticket yet', new WecomRelayError('ERR_WECOM_NO_SUITE_TICKET'), true, 'no_suite_ticket'],
    ['HTTP / network', new WecomRelayError('ERR_WECOM_API_HTTP', { message: 'user/get: HTTP 502' }), true, 'network'],
    ['an unexpected error (e.g. the store)', new Error('SQLITE_BUSY'), true, 'network'],
  ];
  for (const [name, error, retry, code] of table) {
    const failure = classifyFailure(error, API);
    t.equal(failure.retry, retry, `${name}: ${retry ? 'retry' : 'forward'}`);
    t.equal(failure.error.code, code, `${name}: code ${code}`);
    if (error instanceof WecomApiError) {
      t.equal(failure.error.errcode, error.errcode, `${name}: errcode kept`);
      t.equal(failure.error.api, error.path, `${name}: the failing API path`);
    }
  }
});

t.test('an aborted signal turns a transport error into a timeout retry', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const failure = classifyFailure(new WecomRelayError('ERR_WECOM_API_HTTP', { message: 'user/get: aborted' }), API, controller.signal);
  t.same(failure, { retry: true, error: { code: 'timeout', message: 'user/get: enrichment was aborted', api: API } }, 'timeout, retry');
});

t.test('outcomes carry the partial enrichment only when done', async (t) => {
  const forward = classifyFailure(new WecomApiError(API, 60011, 'no privilege'), API);
  const retry = classifyFailure(new WecomApiError(API, -1, 'system busy'), API);
  t.same(failureOutcome(forward, { user: null, openUserId: 'wo1' }), { kind: 'done', enrichment: { user: null, openUserId: 'wo1' }, error: forward.error }, 'done keeps the partial enrichment');
  t.same(failureOutcome(retry, { user: null }), { kind: 'retry', error: retry.error }, 'retry drops it');
  t.equal(worstFailure([undefined, forward, retry]), retry, 'a retry wins over a forward');
  t.equal(worstFailure([undefined, forward]), forward, 'else the first failure');
  t.equal(worstFailure([undefined]), undefined, 'no failure');
});

t.test('createEnricher validates its options at construction', async (t) => {
  t.throws(() => createEnricher(null as never), { name: 'TypeError', message: /Expected `options` to be an object/ }, 'no options');
  const store = { getKv: async () => undefined, putKv: async () => true, deleteKv: async () => true };
  const tokens = { withCorpToken: async () => undefined as never };
  t.throws(() => createEnricher({ api: {} as never, tokens, store }), { message: /Expected `api` to have a `getExternalContact` method/ }, 'no api');
  t.throws(() => createEnricher({ api: { getExternalContact: () => undefined } as never, tokens: {} as never, store }), { message: /Expected `tokens` to have a `withCorpToken` method/ }, 'no tokens');
  t.throws(() => createEnricher({ api: { getExternalContact: () => undefined } as never, tokens, store, now: 5 as never }), { message: /Expected `now` to be a function, got `5` \(number\)/ }, 'bad clock');
});
