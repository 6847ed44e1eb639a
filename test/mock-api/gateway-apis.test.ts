import t from 'tap';
import { DEFAULT_MOCK_CORP } from '../../daemon/mock-api/default-corp.js';
import { authorized, get, post } from '../helpers/mock-api-client.js';

t.test('JS-SDK tickets: get_jsapi_ticket and ticket/get?type=agent_config with the corp token', async (t) => {
  const { mock, token } = await authorized(t);
  const corp = await get(mock, 'get_jsapi_ticket', { access_token: token });
  t.match(corp, { errcode: 0, ticket: String, expires_in: 7200 }, 'the corp ticket');
  const agent = await get(mock, 'ticket/get', { access_token: token, type: 'agent_config' });
  t.match(agent, { errcode: 0, ticket: String, expires_in: 7200 }, 'the agent_config ticket');
  t.not(corp['ticket'], agent['ticket'], 'two tickets');
  t.equal((await get(mock, 'ticket/get', { access_token: token, type: 'other' }))['errcode'], 40058, 'another type → 40058');
  t.equal((await get(mock, 'get_jsapi_ticket', { access_token: 'not-a-token' }))['errcode'], 40014, 'a bad token → 40014');
  t.equal(mock.jsapiTickets.size, 2, 'both recorded');
});

t.test('media/upload: multipart, digests recorded, WeCom\'s errcodes', async (t) => {
  const { mock, token } = await authorized(t);
  const boundary = 'b0undary';
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
  const upload = (type: string, payload: string) => fetch(`${mock.url}/cgi-bin/media/upload?access_token=${token}&type=${type}`, {
    method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: payload,
  }).then((r) => r.json() as Promise<Record<string, unknown>>);
  t.match(await upload('file', body), { errcode: 0, type: 'file', media_id: String, created_at: String }, 'uploaded');
  t.match(mock.uploads[0], { type: 'file', filename: 'a.txt', fileBytes: 5, bodyBytes: body.length }, 'recorded with sizes');
  t.equal(mock.calls.at(-1)?.body && (mock.calls.at(-1)!.body as { bytes: number }).bytes, body.length, 'the call log has the size and digest, not the bytes');
  t.equal((await upload('movie', body))['errcode'], 40004, 'an unknown type → 40004');
  t.equal((await upload('file', `--${boundary}--\r\n`))['errcode'], 41005, 'no media part → 41005');
});

t.test('externalcontact/send_welcome_msg: once per code, text or attachments', async (t) => {
  const { mock, token } = await authorized(t);
  t.equal((await post(mock, 'externalcontact/send_welcome_msg', { access_token: token }, { welcome_code: 'C1', text: { content: 'hi' } }))['errcode'], 0, 'sent');
  t.equal((await post(mock, 'externalcontact/send_welcome_msg', { access_token: token }, { welcome_code: 'C1', text: { content: 'hi' } }))['errcode'], 41051, 'the same code again → 41051');
  t.equal((await post(mock, 'externalcontact/send_welcome_msg', { access_token: token }, { text: { content: 'hi' } }))['errcode'], 40058, 'no welcome_code → 40058');
  t.equal((await post(mock, 'externalcontact/send_welcome_msg', { access_token: token }, { welcome_code: 'C2' }))['errcode'], 40058, 'neither text nor attachments → 40058');
  t.match(mock.welcomeMessages, [{ welcomeCode: 'C1', text: 'hi', attachments: 0 }], 'one message recorded');
});

t.test('web login: service/auth/getuserinfo3rd turns a single-use code into the member, getuserdetail3rd a user_ticket into details', async (t) => {
  const { mock, suiteToken } = await authorized(t);
  const corpId = DEFAULT_MOCK_CORP.corpId;
  const base = mock.issueOAuthCode({ corpId, userid: 'zhangsan' });
  const info = await get(mock, 'service/auth/getuserinfo3rd', { suite_access_token: suiteToken, code: base.code });
  t.match(info, { errcode: 0, corpid: corpId, userid: 'zhangsan', open_userid: /^wo/ }, 'the member of the code');
  t.notOk('user_ticket' in info, 'snsapi_base: no user_ticket');
  t.match(await get(mock, 'service/auth/getuserinfo3rd', { suite_access_token: suiteToken, code: base.code }), { errcode: 40029 }, 'the same code again → 40029 (single use)');
  t.match(await get(mock, 'service/auth/getuserinfo3rd', { suite_access_token: suiteToken, code: 'made-up' }), { errcode: 40029 }, 'an unknown code → 40029');
  t.match(await get(mock, 'service/auth/getuserinfo3rd', { suite_access_token: suiteToken }), { errcode: 41008 }, 'no code → 41008');
  t.match(await get(mock, 'service/auth/getuserinfo3rd', { code: mock.issueOAuthCode({ corpId }).code }), { errcode: 41022 }, 'no suite token → 41022');

  const admin = await fetch(new URL('/__mock/oauth_code', mock.url), { method: 'POST', body: JSON.stringify({ corpId, userid: 'zhangsan', scope: 'snsapi_privateinfo' }) });
  const issued = await admin.json() as { code: string; expiresIn: number };
  t.equal(issued.expiresIn, 300, 'the admin route issues a code valid 5 minutes');
  const privateInfo = await get(mock, 'service/auth/getuserinfo3rd', { suite_access_token: suiteToken, code: issued.code });
  t.match(privateInfo, { errcode: 0, userid: 'zhangsan', user_ticket: String, expires_in: 7200 }, 'snsapi_privateinfo: a user_ticket');
  const detail = await post(mock, 'service/auth/getuserdetail3rd', { suite_access_token: suiteToken }, { user_ticket: privateInfo['user_ticket'] });
  t.match(detail, { errcode: 0, corpid: corpId, userid: 'zhangsan', name: 'zhangsan', gender: '1', qr_code: String }, 'details, the userid standing in for the name');
  t.match(await post(mock, 'service/auth/getuserdetail3rd', { suite_access_token: suiteToken }, { user_ticket: 'nope' }), { errcode: 40029 }, 'an unknown user_ticket → 40029');
  t.match(await post(mock, 'service/auth/getuserdetail3rd', { suite_access_token: suiteToken }, {}), { errcode: 40058 }, 'no user_ticket → 40058');

  const outsider = await get(mock, 'service/auth/getuserinfo3rd', { suite_access_token: suiteToken, code: mock.issueOAuthCode({}).code });
  t.match(outsider, { errcode: 0, openid: String }, 'a login from outside any corp → openid only');
  t.notOk('userid' in outsider, 'and no userid');

  const logged = mock.calls.filter((c) => c.path === 'service/auth/getuserinfo3rd');
  t.ok(logged.every((c) => c.query['code'] === undefined || c.query['code'] === '<redacted>'), 'codes are redacted in the call log');
  t.throws(() => mock.issueOAuthCode({ corpId, userid: 'nobody' }), TypeError, 'an unknown member is a TypeError');
  t.throws(() => mock.issueOAuthCode({ corpId, scope: 'snsapi_all' as never }), TypeError, 'an unknown scope is a TypeError');
  const badAdmin = await fetch(new URL('/__mock/oauth_code', mock.url), { method: 'POST', body: JSON.stringify({ corpId: 'wwnosuchcorp' }) });
  t.equal(badAdmin.status, 400, 'the admin route answers 400 for an unknown corp');
});
