import t from 'tap';
import { RESPONSE_CHARS, responseExcerpt, targetSecrets } from '../../daemon/delivery/response-excerpt.js';

const target = {
  url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa&debug=1',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  headers: { Authorization: 'Bearer tok_abcdef123456', 'X-Team': 'ops' },
};

t.test('a response echoing the target\'s secrets keeps none of them', async (t) => {
  const secrets = targetSecrets(target);
  const body = `{"echo":{"url":"${target.url}","headers":{"authorization":"Bearer tok_abcdef123456"},"token":"tok_abcdef123456","secret":"${target.secret}","team":"ops"}}`;
  const kept = responseExcerpt(body, secrets);
  for (const secret of ['693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', 'tok_abcdef123456', target.secret]) t.notOk(kept.includes(secret), `no ${secret.slice(0, 8)}…`);
  t.match(kept, /\[redacted\]/, 'masked in place');
  t.match(kept, /"team":"ops"/, 'short, ordinary values are left alone');
  t.notOk(secrets.includes('1'), 'a one-character query value is not a secret');
});

t.test('masking happens before the cut, and the cut keeps the first characters', async (t) => {
  const secrets = targetSecrets(target);
  const body = `${'x'.repeat(RESPONSE_CHARS - 5)}${target.secret}`;
  const kept = responseExcerpt(body, secrets);
  t.equal(kept.length, RESPONSE_CHARS, 'cut to the limit');
  t.notOk(kept.includes(target.secret.slice(0, 5)), 'no half of a secret left at the cut');
  t.equal(responseExcerpt('ok', []), 'ok', 'a short body without secrets is as it is');
  t.equal(responseExcerpt('y'.repeat(100_000), secrets).length, RESPONSE_CHARS, 'a huge body is cut');
});

t.test('a target without secrets has none', async (t) => {
  t.same(targetSecrets({ url: 'https://crm.example.com/hook', secret: null, headers: {} }), []);
});
