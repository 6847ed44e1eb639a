import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CORP_ID, SUITE_ID, startTestRelay } from '../e2e/helpers/test-relay.js';

const KEY = `full_${randomBytes(24).toString('hex')}`;

t.test('a proxied 301007 / 40084 marks the corp gone, as enrichment does; the answer goes back as WeCom gave it', async (t) => {
  for (const errcode of [301007, 40084]) {
    const relay = await startTestRelay(t, { dir: t.testdir(), targets: [], gateway: { host: '127.0.0.1', port: 0, keys: [{ name: 'full', key: KEY }] } });
    t.ok((await relay.install()).ok, 'the corp is authorized');
    const url = `${relay.relay.gateway!.url}/v1/apps/${SUITE_ID}/corps/${CORP_ID}/cgi-bin/user/get?userid=zhangsan`;
    const headers = { authorization: `Bearer ${KEY}` };
    const ok = await fetch(url, { headers });
    t.equal(ok.status, 200, 'a first call passes');
    await ok.arrayBuffer();
    relay.mock.inject({ path: 'user/get', errcode });
    const gone = await fetch(url, { headers });
    t.equal(gone.status, 200, `${errcode}: WeCom's status`);
    t.equal(((await gone.json()) as { errcode?: number }).errcode, errcode, `${errcode}: WeCom's body`);
    const corp = await relay.relay.daemon!.tokens!.getCorp(CORP_ID);
    t.equal(corp?.state, 'gone', `${errcode}: the corp is marked gone`);
    const after = await fetch(url, { headers });
    t.same([after.status, ((await after.json()) as { code?: string }).code], [409, 'ERR_GATEWAY_CORP_INACTIVE'], `${errcode}: the next call is refused at once (the 1 s corp cache dropped)`);
  }
});
