import t from 'tap';
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
