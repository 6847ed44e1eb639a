import t from 'tap';
import { errcodeOf } from '../../src/wecom-api/forward-call.js';

const of = (text: string) => errcodeOf(Buffer.from(text, 'utf8'));

t.test('errcodeOf reads WeCom\'s errcode from an answer, leading or not, and nothing from a non-JSON body', async (t) => {
  t.equal(of('{"errcode":0,"errmsg":"ok","userid":"zhangsan"}'), 0, 'leading 0');
  t.equal(of('{ "errcode" : 42001 , "errmsg":"access_token expired"}'), 42001, 'leading, with spaces');
  t.equal(of('{"errcode":-1}'), -1, 'negative, alone');
  t.equal(of('{"errmsg":"ok","errcode":40014}'), 40014, 'not leading: parsed');
  t.equal(of('{"errcode":"60011","errmsg":"x"}'), 60011, 'a numeric string');
  t.equal(of('{"access_token":"t","expires_in":7200}'), 0, 'absent → 0 (the token APIs)');
  t.equal(of('{"errmsg":"x","data":[{"errcode":5}]}'), 0, 'a nested errcode is not the answer\'s');
  t.equal(of('{"errcode":12345678901234,"errmsg":"x"}'), 12345678901234, 'a number too long for the fast path is parsed');
  t.equal(of('not json'), undefined, 'text → undefined');
  t.equal(of('{broken'), undefined, 'malformed JSON → undefined');
  t.equal(of(''), undefined, 'empty → undefined');
  const page = JSON.stringify({ errcode: 0, errmsg: 'ok', next_cursor: 'c', dept_user: Array.from({ length: 1000 }, (_, i) => ({ userid: `u${i}`, department: 1 })) });
  t.equal(of(page), 0, 'a page of 1,000 ids');
});
