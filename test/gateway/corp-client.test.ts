import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { createCorpClient, createStore, TokenProvider, SuiteApi, WecomApiClient, WecomApiError, hasCode } from '../../src/index.js';

const SUITE = 'ww917724cb573d8629';
const SECRET = 'corp-client-secret';
const CORP = DEFAULT_CORP_IDS.corpId;

t.test('createCorpClient: get and post with the relay\'s corp token, one refresh on 42001, typed errors', async (t) => {
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret: SECRET });
  t.teardown(() => mock.close());
  const store = await createStore(`sqlite:${join(t.testdir(), 'relay.db')}`);
  t.teardown(() => store.close());
  // The relay's side: a ticket and an authorization in the store.
  const relayTokens = new TokenProvider({ store, api: new SuiteApi(new WecomApiClient({ baseUrl: mock.url })), suiteId: SUITE, suiteSecret: SECRET });
  const ticket = mock.issueSuiteTicket();
  await relayTokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
  await relayTokens.exchangeAuthCode(mock.issueAuthCode().authCode);

  const corp = createCorpClient({ store, app: { id: SUITE, secret: SECRET }, corpId: CORP, baseUrl: mock.url });
  const user = await corp.get<{ userid: string }>('user/get', { userid: 'zhangsan' });
  t.equal(user.userid, 'zhangsan', 'get: the parsed body');
  t.equal(mock.calls.filter((c) => c.path === 'service/get_corp_token').length, 0, 'with the token the relay stored (no fetch of its own)');
  const sent = await corp.post('externalcontact/send_welcome_msg', { welcome_code: 'W1', text: { content: 'hello' } });
  t.equal(sent.errcode, 0, 'post: send_welcome_msg');
  t.equal(mock.welcomeMessages.at(-1)?.text, 'hello', 'arrived');

  mock.inject({ path: 'user/get', errcode: 42001 });
  t.equal((await corp.get<{ userid: string }>('user/get', { userid: 'zhangsan' })).userid, 'zhangsan', '42001: refreshed and retried once');
  t.equal(mock.calls.filter((c) => c.path === 'service/get_corp_token').length, 1, 'one token fetch');

  const failure = await corp.post('externalcontact/send_welcome_msg', { welcome_code: 'W1', text: { content: 'again' } }).catch((error: unknown) => error);
  t.ok(failure instanceof WecomApiError && failure.errcode === 41051, 'a non-zero errcode → WecomApiError with errcode');
  const other = createCorpClient({ store, tokens: relayTokens, corpId: 'wwnever', api: new WecomApiClient({ baseUrl: mock.url }) });
  t.ok(hasCode(await other.get('user/get', { userid: 'x' }).catch((error: unknown) => error), 'ERR_WECOM_CORP_NOT_AUTHORIZED'), 'a corp never installed → ERR_WECOM_CORP_NOT_AUTHORIZED');
  t.throws(() => corp.get('user/get', { access_token: 'mine' }), TypeError, 'a caller-supplied access_token is a TypeError');
  t.throws(() => createCorpClient({ store, corpId: CORP } as never), TypeError, 'app or tokens is required');
});
